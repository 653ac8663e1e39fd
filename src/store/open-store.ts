// The one place that chooses the store's adapter: PostgreSQL for a postgres:// URL (DATABASE_URL, or
// the CLI's --db), else the JSON store file (DB_FILE).
import type { Config } from '../config.js';
import type { PointsStore } from './contract.js';
import { PgStore, readPgStore } from './pg-store.js';
import type { State } from './state.js';
import { readStore, Store, type OpenOptions } from './store.js';

/** Where the configured store is: DATABASE_URL when set, else DB_FILE. */
export const storeLocation = (config: Pick<Config, 'dbFile' | 'databaseUrl'>): string => config.databaseUrl ?? config.dbFile;

export const isDatabaseUrl = (where: string): boolean => /^postgres(ql)?:\/\//i.test(where);

/** Opens the store at a file path or a database URL for writing. */
export function openStore(where: string, options: OpenOptions): Promise<PointsStore> {
  return isDatabaseUrl(where) ? PgStore.open(where, options) : Store.open(where, options);
}

/** The read-only load: one consistent view, without taking the store from a process that writes it. */
export function readStoreAt(where: string): Promise<State> {
  return isDatabaseUrl(where) ? readPgStore(where) : readStore(where);
}
