// A refused import touches no store file and needs no lock: its bad lines are named even while a bot
// holds the store. A --db that names a file that is not a store is refused and left as it is.
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStore } from '../../src/store/store.js';
import { folderHashes, scratchDb } from '../store/files.js';
import { cliAt, jsonl } from '../support/cli.js';
import { startUntilReady, stopAll } from '../support/ready.js';
import { childTmp } from '../support/temp.js';

const cli = cliAt(new Date('2026-11-23T12:00:00Z'));

const ann = { type: 'member', id: 'ann', email: 'ann@example.com', name: 'Ann', signedUpAt: '2023-04-12' };
const credit = (id: string, extra: Record<string, unknown> = {}) => ({ type: 'credit', id, member: 'ann', action: 'qa.ask', at: '2024-03-01T10:00:00Z', ...extra });

const children: ChildProcess[] = [];
afterEach(() => stopAll(children));

async function seeded(): Promise<string> {
  const db = scratchDb('cli-');
  const result = await cli(['--db', db, 'import', jsonl(db, 'seed.jsonl', [ann, credit('c1')])]);
  expect(result).toMatchObject({ code: 0, err: '' });
  return db;
}

const badFiles: [string, unknown[], RegExp][] = [
  ['a line that is not JSON', [credit('n1'), '{"type":"credit",'], /^line 2: not valid JSON/m],
  ['a credit for an unknown member', [credit('n1'), credit('n2', { member: 'zed' })], /^line 2: .*no member with id or email "zed"/m],
  ['an id already used with other content', [credit('c1', { at: '2024-03-02T10:00:00Z' })], /^line 1: .*entry id c1 is already used by a different entry/m],
];

describe('cli import of a file with bad lines', () => {
  it.each(badFiles)('names the bad lines of %s and changes no store file', async (_what, records, message) => {
    const db = await seeded();
    const file = jsonl(db, 'bad.jsonl', records);
    const before = folderHashes(dirname(db));
    const result = await cli(['--db', db, 'import', file]);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toMatch(message);
    expect(result.err).toContain('Nothing was imported');
    expect(folderHashes(dirname(db))).toEqual(before);
  });

  it.each(badFiles)('names the bad lines of %s while a bot holds the store, and changes no store file', async (_what, records, message) => {
    const db = await seeded();
    await startUntilReady([process.execPath, '--import', 'tsx', 'test/store/hold-store.ts', db], childTmp(), /holding (\d+)/, children);
    const file = jsonl(db, 'bad.jsonl', records);
    const before = folderHashes(dirname(db));
    const result = await cli(['--db', db, 'import', file]);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toMatch(message);
    expect(result.err).not.toContain('already open for writing');
    expect(folderHashes(dirname(db))).toEqual(before);
  });

  it('creates no store when the file for a new one has bad lines', async () => {
    const db = scratchDb('cli-');
    const file = jsonl(db, 'bad.jsonl', [ann, credit('n1', { member: 'zed' })]);
    const result = await cli(['--db', db, 'import', file]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^line 2: /m);
    expect(readdirSync(dirname(db))).toEqual(['bad.jsonl']);
  });

  it('still applies a good file once the lock is free, planning it again on the data of that moment', async () => {
    const db = await seeded();
    const result = await cli(['--db', db, 'import', jsonl(db, 'good.jsonl', [credit('c1'), credit('c2', { at: '2024-03-02T10:00:00Z' })])]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ new: { credit: 1 }, known: { credit: 1 } });
    expect((await readStore(db)).entriesOf('ann').map((e) => e.id)).toEqual(['c1', 'c2']);
  });
});

describe('cli with a --db that is not a store', () => {
  it.each([['import'], ['status']])('%s refuses the rule catalog named as the store and leaves it byte-identical', async (command) => {
    const db = scratchDb('cli-');
    copyFileSync('rules/catalog.json', db);
    const args = command === 'import' ? ['import', jsonl(db, 'one.jsonl', [ann])] : ['status', 'ann'];
    const before = folderHashes(dirname(db));
    const result = await cli(['--db', db, ...args]);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toMatch(new RegExp(`^The store cannot be used: ${db} is not a store of this product: it has no "schemaVersion" and holds "edition", "effectiveFrom", `));
    expect(result.err).toContain('(a store holds "schemaVersion", or, from before versions, only the arrays "members" and "ledger"). Check DB_FILE or --db; the file was left as it is.\n');
    expect(folderHashes(dirname(db))).toEqual(before);
    expect(existsSync(`${db}.lock`)).toBe(false);
  });
});
