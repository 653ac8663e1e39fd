// A real store in a new temporary folder holding seed records, imported as a file would be; closing
// it removes the folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Catalog } from '../../src/core/catalog.js';
import { importRecords } from '../../src/services/import-records.js';
import type { PointsStore } from '../../src/store/contract.js';
import { Store } from '../../src/store/store.js';
import { defaultCatalog } from './catalog.js';

/** The instant the seed is imported at, and of every turn: 2026-11-23T12:00Z. */
export const NOW = Date.parse('2026-11-23T12:00:00Z');

export interface SeededStore {
  store: PointsStore;
  catalog: Catalog;
  /** Closes the store and removes its folder. */
  close(): Promise<void>;
}

/**
 * A store holding the seed records: by default a JSON store in a new temporary folder, else the one
 * `open` gives (a PostgreSQL store of test/store/adapters.ts, say).
 */
export async function seededStore(seed: unknown[] = [], open?: () => Promise<PointsStore>): Promise<SeededStore> {
  const folder = mkdtempSync(join(tmpdir(), 'seeded-store-'));
  const catalog = defaultCatalog();
  const store = open ? await open() : await Store.open(join(folder, 'db.json'), { command: 'test' });
  try {
    const result = await importRecords(store, catalog, seed.map((value, i) => ({ index: i + 1, value })), { source: 'import', by: 'test' }, NOW);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
  } catch (error) {
    await store.close();
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    store,
    catalog,
    async close() {
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}


/** Something opened for each test of the file and closed after it; call the result inside a test. */
export function perTest<T extends { close(): Promise<void> }>(open: () => Promise<T>): () => T {
  let current: T | undefined;
  beforeEach(async () => {
    current = await open();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('this exists only while a test runs');
    return current;
  };
}

/** A new seeded store for each test of the file. */
export const storePerTest = (seed: unknown[] = [], open?: () => Promise<PointsStore>) => perTest(() => seededStore(seed, open));
