// Journal lines carry a checksum: a line damaged in place stops the load, naming the file and the
// line, instead of loading changed data and folding it into the snapshot.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readStore, Store, StoreFileError } from '../../src/store/store.js';
import { folderHashes, journalsOf, scratchDb } from './files.js';

const member = (n: number) => ({ id: `m${n}`, email: `m${n}@example.com`, name: `Member ${n}`, signedUpAt: '2024-01-01' });

/** A store whose one journal holds three transactions, one line each. */
async function threeLines(): Promise<{ db: string; journal: string }> {
  const db = scratchDb();
  const store = await Store.open(db, { command: 'checksum test', compactAfterBytes: 1 << 30 });
  for (const n of [1, 2, 3]) await store.transact((tx) => tx.put(['members', member(n)]));
  await store.close();
  const [journal] = journalsOf(db).filter((path) => readFileSync(path).length > 0);
  return { db, journal: journal! };
}

/** Replaces `from` by `to` (same length) on one line of the file. */
function damage(file: string, line: number, from: string, to: string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  expect(lines[line - 1]).toContain(from);
  lines[line - 1] = lines[line - 1]!.replace(from, to);
  writeFileSync(file, lines.join('\n'));
}

async function refusals(db: string): Promise<unknown[]> {
  return Promise.all([readStore(db), Store.open(db, { command: 'checksum test' })].map((attempt) => attempt.then(() => null, (error: unknown) => error)));
}

describe('journal checksums', () => {
  it.each([
    ['a line in the middle', 2],
    ['the last line, complete with its newline', 3],
  ])('stops on two changed bytes inside a string value of %s, naming the file and the line, and changes no file', async (_what, line) => {
    const { db, journal } = await threeLines();
    damage(journal, line, `"Member ${line}"`, `"Mxmbxr ${line}"`);
    const before = folderHashes(dirname(db));
    for (const error of await refusals(db)) {
      expect(error).toBeInstanceOf(StoreFileError);
      expect((error as Error).message).toContain(`${journal} line ${line} is damaged: its checksum is `);
    }
    expect(folderHashes(dirname(db))).toEqual(before);
  });

  it('stops on a line that lost its checksum in a journal written with checksums', async () => {
    const { db, journal } = await threeLines();
    damage(journal, 2, ',"crc":"', ',"crd":"');
    const [error] = await refusals(db);
    expect((error as Error).message).toContain(`${basename(journal)} line 2 is damaged: it has lost its checksum`);
  });

  it('ends every line with the CRC-32 of the bytes before it', async () => {
    const { journal } = await threeLines();
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const [, body, crc] = /^(.*),"crc":"([0-9a-f]{8})"\}$/.exec(line)!;
      expect(crc).toBe(crc32(body!).toString(16).padStart(8, '0'));
      expect(JSON.parse(line)).toMatchObject({ crc });
    }
  });

  it('loads a journal written before checksums, and the next writer writes on with them', async () => {
    const db = scratchDb();
    writeFileSync(db, JSON.stringify({ schemaVersion: 4, seq: 0, journal: 1, members: [], ledger: [], claims: [], notifications: [], preferences: [], conversations: [], markers: [], partners: [], partnerActivities: [] }));
    const legacy = `${db}.journal.1`;
    writeFileSync(legacy, [1, 2].map((n) => JSON.stringify({ seq: n, puts: [['members', member(n)]] })).join('\n') + '\n');
    // A torn last line stays what it always was: never acknowledged, left out.
    appendFileSync(legacy, '{"seq":3,"puts":[["members",');
    expect([...(await readStore(db)).members.keys()]).toEqual(['m1', 'm2']);
    const store = await Store.open(db, { command: 'checksum test' });
    await store.transact((tx) => tx.put(['members', member(3)]));
    await store.close();
    const [journal] = journalsOf(db);
    expect(readFileSync(journal!, 'utf8')).toMatch(/^\{"seq":3,"puts":\[.*\],"crc":"[0-9a-f]{8}"\}\n$/);
    expect([...(await readStore(db)).members.keys()]).toEqual(['m1', 'm2', 'm3']);
  });
});
