// What opening a store does to its files: a file that is not a store is refused and left as it is,
// a migration keeps the old files beside the store, and an unchanged store is not rewritten.
import { appendFileSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStore, Store, StoreFileError, type StoreLog } from '../../src/store/store.js';
import { folderHashes, journalsOf, scratchDb } from './files.js';

const member = (n: number) => ({ id: `m${n}`, email: `m${n}@example.com`, name: `Member ${n}`, signedUpAt: '2024-01-01' });
const quiet: StoreLog = { info: () => {}, error: () => {} };

describe('a file that is not a store', () => {
  const foreign: [string, (db: string) => void][] = [
    ['the rule catalog', (db) => copyFileSync('rules/catalog.json', db)],
    ['an empty object', (db) => writeFileSync(db, '{}')],
    ['members and ledger beside other fields', (db) => writeFileSync(db, JSON.stringify({ members: [], ledger: [], name: 'x' }))],
    ['"members" that is not an array', (db) => writeFileSync(db, JSON.stringify({ members: { a: 1 } }))],
  ];
  it.each(foreign)('refuses %s, naming it, and leaves it byte-identical', async (_what, write) => {
    const db = scratchDb();
    write(db);
    const before = folderHashes(dirname(db));
    for (const attempt of [() => readStore(db), () => Store.open(db, { command: 'foreign test', log: quiet })]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreFileError);
      expect((error as Error).message).toMatch(new RegExp(`^${db} is not a store of this product: it has no "schemaVersion" and holds .*Check DB_FILE or --db; the file was left as it is\\.$`));
    }
    expect(folderHashes(dirname(db))).toEqual(before);
    expect(readdirSync(dirname(db))).toEqual(['db.json']);
  });
});

describe('a migration', () => {
  it('keeps the files of the older schema in db.json.schemaN.bak/ before writing the migrated snapshot', async () => {
    const db = scratchDb();
    const schema3 = { schemaVersion: 3, seq: 1, journal: 3, members: [member(1)], ledger: [], claims: [], notifications: [], preferences: [], conversations: [], markers: [] };
    writeFileSync(db, JSON.stringify(schema3));
    // A journal of that version: lines without checksums.
    writeFileSync(`${db}.journal.3`, `${JSON.stringify({ seq: 2, puts: [['members', member(2)]] })}\n`);
    const before = folderHashes(dirname(db));
    const told: string[] = [];
    const store = await Store.open(db, { command: 'migration test', log: { info: (_details, message) => told.push(message), error: () => {} } });
    await store.transact((tx) => tx.put(['members', member(3)]));
    await store.close();

    const kept = `${db}.schema3.bak`;
    expect(told).toEqual([`${db}: migrating from schema 3 to 5; the files as they were are kept in ${kept}`]);
    expect(folderHashes(kept)).toEqual(before);
    expect(JSON.parse(readFileSync(db, 'utf8'))).toMatchObject({ schemaVersion: 5, members: [member(1), member(2)] });
    expect(existsSync(`${db}.journal.3`)).toBe(false);
    expect([...(await readStore(db)).members.keys()]).toEqual(['m1', 'm2', 'm3']);
    // The old files load as they are: they are the way back.
    expect([...(await readStore(join(kept, 'db.json'))).members.keys()]).toEqual(['m1', 'm2']);
    const again = await Store.open(db, { command: 'migration test', log: quiet });
    await again.close();
    expect(folderHashes(kept)).toEqual(before);
  });
});

describe('opening for writing', () => {
  it('changes no file of a store whose journals hold nothing', async () => {
    const db = scratchDb();
    const store = await Store.open(db, { command: 'open test' });
    await store.transact((tx) => tx.put(['members', member(1)]));
    await store.close();
    // This open folds the journal into the snapshot; the ones after it have nothing to change.
    await (await Store.open(db, { command: 'open test' })).close();
    const before = folderHashes(dirname(db));
    for (let i = 0; i < 3; i += 1) await (await Store.open(db, { command: 'open test' })).close();
    expect(folderHashes(dirname(db))).toEqual(before);
  });

  it('replays several journal generations when a torn one is left unfolded', async () => {
    const db = scratchDb();
    const first = await Store.open(db, { command: 'open test' });
    await first.transact((tx) => tx.put(['members', member(1)]));
    await first.close();
    await (await Store.open(db, { command: 'open test' })).close();
    // A writer that died in its first write leaves a generation with nothing but a torn line.
    const [torn] = journalsOf(db);
    appendFileSync(torn!, '{"seq":2,"puts":[["members",{"id":"m9"');
    const second = await Store.open(db, { command: 'open test' });
    await second.transact((tx) => tx.put(['members', member(2)]));
    await second.close();
    expect(journalsOf(db)).toHaveLength(2);
    expect([...(await readStore(db)).members.keys()]).toEqual(['m1', 'm2']);
    const third = await Store.open(db, { command: 'open test' });
    await third.transact((tx) => tx.put(['members', member(3)]));
    await third.close();
    expect([...(await readStore(db)).members.keys()]).toEqual(['m1', 'm2', 'm3']);
  });
});
