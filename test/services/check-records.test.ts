// Checking a batch against a read-only load answers what importing it would, and writes nothing;
// a record the store would refuse is the problem of its own line.
import { describe, expect, it } from 'vitest';
import type { Origin } from '../../src/core/records.js';
import { checkRecords, importRecords, type BatchItem } from '../../src/services/import-records.js';
import { readStore, Store } from '../../src/store/store.js';
import { defaultCatalog } from '../support/catalog.js';
import { scratchDb } from '../store/files.js';

const catalog = defaultCatalog();
const origin: Origin = { source: 'import', by: 'test' };
const NOW = Date.parse('2025-06-15T10:00:00Z');
const items = (records: unknown[]): BatchItem[] => records.map((value, i) => ({ index: i + 1, value }));

const ann = { type: 'member', id: 'ann', email: 'ann@example.com', name: 'Ann', signedUpAt: '2024-01-10' };
const credit = (id: string, member = 'ann') => ({ type: 'credit', id, member, action: 'qa.ask', at: '2025-03-03T10:00:00Z' });

async function storeWithAnn(): Promise<string> {
  const db = scratchDb('check-');
  const store = await Store.open(db, { command: 'check test' });
  await importRecords(store, catalog, items([ann, credit('c1')]), origin, NOW);
  await store.close();
  return db;
}

describe('checking a batch before importing it', () => {
  it('gives the answer an import would give, and leaves the loaded data as it was', async () => {
    const db = await storeWithAnn();
    const state = await readStore(db);
    const before = JSON.stringify(state.collections());
    const batch = items([credit('c2'), credit('c3', 'zed'), 'not an object']);
    const checked = checkRecords(state, catalog, batch, origin, NOW);
    expect(checked).toEqual({
      ok: false,
      problems: [
        { index: 2, message: 'no member with id or email "zed"' },
        { index: 3, message: 'must be a JSON object whose "type" is "member", "credit", "reversal", "partner" or "partner-activity"' },
      ],
    });
    expect(JSON.stringify(state.collections())).toBe(before);
    const store = await Store.open(db, { command: 'check test' });
    expect(await importRecords(store, catalog, batch, origin, NOW)).toEqual(checked);
    await store.close();
    expect(checkRecords(state, catalog, items([credit('c1'), credit('c2')]), origin, NOW)).toMatchObject({ ok: true, summary: { new: { credit: 1 }, known: { credit: 1 } } });
  });

  it('names the line of a record the store would refuse to load', async () => {
    const db = await storeWithAnn();
    // An author that is not a string gets past the types only by force: the store's schema stops it.
    const forced = { source: 'import', by: 42 } as unknown as Origin;
    const batch = items([credit('c2'), credit('c3')]);
    const checked = checkRecords(await readStore(db), catalog, batch, forced, NOW);
    expect(checked).toEqual({
      ok: false,
      problems: [1, 2].map((index) => ({ index, message: `the store refuses the ledger record "c${index + 1}": by: must be string` })),
    });
    const store = await Store.open(db, { command: 'check test', log: { info: () => {}, error: () => {} } });
    expect(await importRecords(store, catalog, batch, forced, NOW)).toEqual(checked);
    await store.close();
    expect((await readStore(db)).entriesOf('ann').map((e) => e.id)).toEqual(['c1']);
  });
});
