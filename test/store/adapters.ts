// The store's adapters as factories, so one table of cases runs against each: the JSON store in a temp
// folder, and PostgreSQL in a fresh schema of the run's private server (skipped, saying so, when
// PostgreSQL is not installed). Call storeAdapters() at the top of a test file: it registers the hooks
// that close the stores a test opened and remove what the file made.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import type { PointsStore, StoreLog } from '../../src/store/contract.js';
import { PgStore, readPgStore } from '../../src/store/pg-store.js';
import type { State } from '../../src/store/state.js';
import { readStore, Store } from '../../src/store/store.js';
import { adminQuery, postgresAvailable, postgresPerFile } from '../support/postgres.js';
import { tempDb } from '../support/temp.js';

export interface StoreAdapter {
  name: 'json' | 'postgres';
  /** Where a new, empty store is: a file path or a database URL. */
  fresh(): Promise<string>;
  /** Opens the store for writing; closed after the test unless the test closed it. */
  open(where: string, options?: { log?: StoreLog }): Promise<PointsStore>;
  /** The read-only load. */
  read(where: string): Promise<State>;
  /** Everything the store has written, as text: a refused record must not appear in it, nor change it. */
  written(where: string): Promise<string>;
}

/** The adapters this machine can run: the JSON store always, PostgreSQL when it is installed. */
export function storeAdapters(): StoreAdapter[] {
  const opened: PointsStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });
  const track = <T extends PointsStore>(store: T): T => {
    opened.push(store);
    return store;
  };
  const json: StoreAdapter = {
    name: 'json',
    fresh: async () => tempDb('contract-'),
    open: async (db, options) => track(await Store.open(db, { command: 'contract test', ...options })),
    read: (db) => readStore(db),
    // Files only: an open store also has its lock folder, db.json.lock/.
    written: async (db) =>
      readdirSync(dirname(db), { withFileTypes: true })
        .filter((file) => file.isFile() && file.name.startsWith('db.json'))
        .map((file) => readFileSync(join(dirname(db), file.name), 'utf8'))
        .join('\n'),
  };
  if (!postgresAvailable) return [json];
  const postgres = postgresPerFile();
  return [
    json,
    {
      name: 'postgres',
      fresh: () => postgres.fresh(),
      open: async (url, options) => track(await PgStore.open(url, { command: 'contract test', ...options })),
      read: (url) => readPgStore(url),
      written: async (url) => String((await adminQuery(url, "SELECT coalesce(string_agg(record::text, E'\\n'), '') AS text FROM store_records")).rows[0].text),
    },
  ];
}
