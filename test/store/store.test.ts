import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { readStore, Store, StoreFileError, StoreLockedError } from '../../src/store/store.js';
import { stopped } from '../support/ready.js';
import { childTmp, tempDb } from '../support/temp.js';
import { entry, member } from './records.js';


const open: Store[] = [];
async function openStore(db: string, compactAfterBytes?: number): Promise<Store> {
  const store = await Store.open(db, { command: 'store test', ...(compactAfterBytes !== undefined && { compactAfterBytes }) });
  open.push(store);
  return store;
}
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('durable store', () => {
  it('compacts the journal into the snapshot and still holds everything', async () => {
    const db = tempDb();
    const store = await openStore(db, 2048);
    for (let i = 0; i < 300; i += 1) {
      await store.transact((tx) => {
        if (i === 0) tx.put(['members', member(1)]);
        tx.put(['ledger', entry(`e${i}`)]);
      });
    }
    await store.close();
    const snapshot = JSON.parse(readFileSync(db, 'utf8')) as { seq: number; ledger: unknown[] };
    expect(snapshot.seq).toBeGreaterThan(100);
    expect(snapshot.ledger.length).toBeGreaterThan(100);
    const journals = readdirSync(dirname(db)).filter((name) => name.startsWith('db.json.journal.'));
    expect(journals.length).toBeLessThanOrEqual(2);
    expect((await readStore(db)).entriesOf('m1')).toHaveLength(300);
  });

  it('refuses a second writer with a clear error, in another process or the same one', async () => {
    const db = tempDb();
    await openStore(db);
    const error = await Store.open(db, { command: 'second' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toContain(`process ${process.pid}`);
    expect((error as Error).message).toContain('store test');
  });

  it('refuses a second writer while another process holds the store', async () => {
    const db = tempDb();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/crash-writer.ts', db, '1'], { env: { ...process.env, ...childTmp() }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const error = await Store.open(db, { command: 'second' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreLockedError);
      expect((error as Error).message).toContain(`process ${child.pid} (crash-writer`);
    } finally {
      await stopped(child);
    }
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const db = tempDb();
    await (await openStore(db)).close();
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), command: 'dead', since: '2026-01-01T00:00:00Z' }));
    const store = await openStore(db);
    await store.transact((tx) => tx.put(['members', member(1)]));
    expect((await readStore(db)).member('m1')).toBeDefined();
  });

  it('ignores a torn last journal line (never acknowledged) and writes on after it', async () => {
    const db = tempDb();
    const store = await openStore(db, 1 << 30);
    await store.transact((tx) => tx.put(['members', member(1)]));
    await store.close();
    const journal = readdirSync(dirname(db)).find((name) => /journal\.\d+$/.test(name) && readFileSync(`${dirname(db)}/${name}`).length > 0);
    expect(journal).toBeDefined();
    appendFileSync(`${dirname(db)}/${journal}`, '{"seq":2,"puts":[["members",{"id":"m2"');
    expect((await readStore(db)).member('m2')).toBeUndefined();
    const again = await openStore(db);
    await again.transact((tx) => tx.put(['members', member(3)]));
    await again.close();
    const state = await readStore(db);
    expect([...state.members.keys()]).toEqual(['m1', 'm3']);
  });

  it('migrates a plain lowdb file of schema 0 and leaves it untouched when only read', async () => {
    const db = tempDb();
    writeFileSync(db, JSON.stringify({ members: [member(1)], ledger: [entry('e1')] }));
    const before = hash(db);
    expect((await readStore(db)).entry('e1')?.points).toBe(10);
    expect(hash(db)).toBe(before);
    const store = await openStore(db);
    await store.close();
    expect(JSON.parse(readFileSync(db, 'utf8'))).toMatchObject({
      schemaVersion: 5,
      members: [member(1)],
      claims: [],
      notifications: [],
      preferences: [],
      conversations: [],
      markers: [],
      partners: [],
      partnerActivities: [],
      answers: [],
    });
  });

  it('migrates schema 1 (members and ledger) to schema 5 with empty claims, notifications, preferences, conversations, markers, partner collections and answers', async () => {
    const db = tempDb();
    writeFileSync(db, JSON.stringify({ schemaVersion: 1, seq: 4, journal: 2, members: [member(1)], ledger: [entry('e1')] }));
    const state = await readStore(db);
    expect(state.entry('e1')?.points).toBe(10);
    expect(state.claims.size).toBe(0);
    const store = await openStore(db);
    await store.transact((tx) => tx.put(['preferences', { id: 'm1', leaderboardOptOut: true }]));
    await store.close();
    expect((await readStore(db)).preferences.get('m1')).toEqual({ id: 'm1', leaderboardOptOut: true });
    expect(JSON.parse(readFileSync(db, 'utf8')).schemaVersion).toBe(5);
  });

  it('migrates schema 2 notifications into the outbox: sent ones stay sent, the others become pending', async () => {
    const db = tempDb();
    const decision = { memberId: 'm1', kind: 'claim-decision', createdAt: '2026-01-02T10:00:00.000Z', claimId: 'c1', status: 'approved', points: 25 };
    writeFileSync(
      db,
      JSON.stringify({
        schemaVersion: 2, seq: 0, journal: 0, members: [member(1)], ledger: [], claims: [], preferences: [],
        notifications: [{ ...decision, id: 'n1' }, { ...decision, id: 'n2', sentAt: '2026-01-02T10:05:00.000Z' }],
      }),
    );
    const state = await readStore(db);
    expect(state.notifications.get('n1')).toMatchObject({ delivery: 'pending', attempts: 0 });
    expect(state.notifications.get('n2')).toMatchObject({ delivery: 'sent', attempts: 0, sentAt: '2026-01-02T10:05:00.000Z' });
    expect(state.conversations.size).toBe(0);
  });

  it('migrates schema 3 to schema 5 with empty partners, partner activities and answers, keeping every record', async () => {
    const db = tempDb();
    const schema3 = {
      schemaVersion: 3, seq: 7, journal: 3, members: [{ ...member(1), partnerId: 'p-acme' }], ledger: [entry('e1')], claims: [], notifications: [],
      preferences: [{ id: 'm1', notificationsOff: true }], conversations: [], markers: [{ id: 'notify.pass', at: '2026-01-02T10:00:00.000Z' }],
    };
    writeFileSync(db, JSON.stringify(schema3));
    const before = hash(db);
    const state = await readStore(db);
    expect(hash(db)).toBe(before);
    expect(state.partners.size).toBe(0);
    expect(state.partnerActivities.size).toBe(0);
    expect(state.membersOf('p-acme').map((m) => m.id)).toEqual(['m1']);
    expect(state.partnerInput('p-acme')).toBeUndefined();
    const store = await openStore(db);
    expect(JSON.parse(readFileSync(db, 'utf8'))).toEqual({ ...schema3, schemaVersion: 5, journal: expect.any(Number), partners: [], partnerActivities: [], answers: [] });
    await store.transact((tx) => tx.put(['partners', { id: 'p-acme', name: 'Acme Media' }]));
    await store.close();
    expect((await readStore(db)).partnerInput('p-acme')).toEqual({ partner: { id: 'p-acme', name: 'Acme Media' }, activities: [], devops: [entry('e1')] });
  });

  it('migrates schema 4 to schema 5 with no answers, keeping every record, and the schema-4 file beside it', async () => {
    const db = tempDb();
    const schema4 = {
      schemaVersion: 4, seq: 3, journal: 2, members: [{ ...member(1), partnerId: 'p-acme' }], ledger: [entry('e1')], claims: [], notifications: [],
      preferences: [], conversations: [], markers: [{ id: 'notify.pass', at: '2026-01-02T10:00:00.000Z' }], partners: [{ id: 'p-acme', name: 'Acme Media' }], partnerActivities: [],
    };
    const text = JSON.stringify(schema4);
    writeFileSync(db, text);
    const state = await readStore(db);
    expect(state.answers.size).toBe(0);
    expect(state.partnerInput('p-acme')?.devops).toEqual([entry('e1')]);
    const store = await openStore(db);
    expect(JSON.parse(readFileSync(db, 'utf8'))).toEqual({ ...schema4, schemaVersion: 5, journal: expect.any(Number), answers: [] });
    expect(readFileSync(`${db}.schema4.bak/db.json`, 'utf8')).toBe(text);
    const answer = { id: 'slot-0', serial: 1, digest: 'a'.repeat(64), at: '2026-11-23T12:00:00.000Z', status: 200, body: { records: 1, new: { credit: 1 }, known: { credit: 0 }, entries: 1, points: 25 } };
    await store.transact((tx) => tx.put(['answers', answer]));
    await store.close();
    expect((await readStore(db)).answerTo('a'.repeat(64))).toEqual(answer);
  });

  const broken: [string, string, string][] = [
    ['not JSON', '{"schemaVersion":1,', 'is not valid JSON'],
    ['a newer schema', JSON.stringify({ schemaVersion: 99 }), 'newer version'],
    ['a wrong field', JSON.stringify({ schemaVersion: 1, seq: 0, journal: 0, members: [{ ...member(1), signedUpAt: 'soon' }], ledger: [] }), 'members.0.signedUpAt'],
    ['a duplicate entry', JSON.stringify({ schemaVersion: 1, seq: 0, journal: 0, members: [], ledger: [entry('e1'), entry('e1')] }), 'e1 is written twice'],
    ['not an object', '[1,2,3]', 'is not a JSON object'],
  ];
  it.each(broken)('stops on a store file with %s, naming it, and leaves it untouched', async (_what, content, message) => {
    const db = tempDb();
    writeFileSync(db, content);
    const before = hash(db);
    for (const attempt of [() => readStore(db), () => Store.open(db, { command: 'broken test' })]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreFileError);
      expect((error as Error).message).toContain(db);
      expect((error as Error).message).toContain(message);
    }
    expect(hash(db)).toBe(before);
    expect(readdirSync(dirname(db))).toEqual(['db.json']);
  });

  it('stops on a damaged journal line that is not the last one', async () => {
    const db = tempDb();
    const store = await openStore(db, 1 << 30);
    await store.transact((tx) => tx.put(['members', member(1)]));
    await store.transact((tx) => tx.put(['members', member(2)]));
    await store.close();
    const name = readdirSync(dirname(db)).find((n) => /journal\.\d+$/.test(n) && readFileSync(`${dirname(db)}/${n}`).length > 0)!;
    const path = `${dirname(db)}/${name}`;
    writeFileSync(path, readFileSync(path, 'utf8').replace('"m1@example.com"', '42'));
    const before = hash(path);
    const error = await readStore(db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as Error).message).toContain(`${name} line 1`);
    expect(hash(path)).toBe(before);
  });
});

describe('leading a task', () => {
  it('always leads while open: the file has one writer, the only process that may run the notification loop', async () => {
    const store = await Store.open(tempDb('lead-'), { command: 'test' });
    expect(await store.leads('notify')).toBe(true);
    await store.close();
    expect(await store.leads('notify')).toBe(false);
  });
});

describe('journal transactions over several lines', () => {
  const journalOf = (db: string) => {
    const name = readdirSync(dirname(db)).find((n) => /journal\.\d+$/.test(n) && readFileSync(`${dirname(db)}/${n}`).length > 0)!;
    return `${dirname(db)}/${name}`;
  };

  async function bigTransaction(db: string): Promise<string> {
    const store = await Store.open(db, { command: 'store test', compactAfterBytes: 1 << 30 });
    await store.transact((tx) => tx.put(['members', member(1)]));
    // About 2.5 MiB of entries: more than one journal line.
    await store.transact((tx) => {
      for (let i = 0; i < 12_000; i += 1) tx.put(['ledger', { ...entry(`big-${i}`), note: 'x'.repeat(100) }]);
    });
    await store.close();
    return journalOf(db);
  }

  it('writes a large transaction as several lines and replays it whole', async () => {
    const db = tempDb();
    const journal = await bigTransaction(db);
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(1, -1).every((line) => line.startsWith('{"seq":2,"more":true,'))).toBe(true);
    expect((await readStore(db)).entriesOf('m1')).toHaveLength(12_000);
  });

  it('leaves out a transaction whose last line never reached the disk', async () => {
    const db = tempDb();
    const journal = await bigTransaction(db);
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
    writeFileSync(journal, `${lines.slice(0, -1).join('\n')}\n`);
    const state = await readStore(db);
    expect(state.member('m1')).toBeDefined();
    expect(state.entriesOf('m1')).toHaveLength(0);
  });

  it('stops on a transaction cut off in the middle of a journal', async () => {
    const db = tempDb();
    const journal = await bigTransaction(db);
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
    const body = '{"seq":3,"puts":[["members",{"id":"m9","email":"m9@example.com","name":"M","signedUpAt":"2024-01-01"}]]';
    const cut = [...lines.slice(0, 2), `${body},"crc":"${crc32(body).toString(16).padStart(8, '0')}"}`];
    writeFileSync(journal, `${cut.join('\n')}\n`);
    const error = await readStore(db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFileError);
    expect((error as Error).message).toContain('transaction 2 is cut off by line 3');
  });
});
