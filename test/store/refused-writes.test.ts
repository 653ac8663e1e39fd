// A write the store could not load again is refused at transact: undone, logged, never journaled,
// so no request can leave the store unable to start.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { ConversationRecord } from '../../src/store/schema.js';
import type { Put } from '../../src/store/state.js';
import { readStore, Store, StoreRecordError, type StoreLog } from '../../src/store/store.js';
import { journalsOf, scratchDb } from './files.js';

const member = (n: number) => ({ id: `m${n}`, email: `m${n}@example.com`, name: `Member ${n}`, signedUpAt: '2024-01-01' });
const entry = { id: 'e1', memberId: 'm1', action: 'qa.ask', at: '2024-02-01T10:00:00.000Z', points: 10, inputs: {}, source: 'bot', by: 'm1', edition: 'test' };
const conversation = (id: string): ConversationRecord => ({
  id,
  memberId: 'm1',
  reference: {
    channelId: 'msteams',
    serviceUrl: 'https://smba.example/emea/',
    conversation: { id: `a:${id}`, conversationType: 'personal', tenantId: 't1' },
    user: { id: `29:${id}`, name: 'Ann', aadObjectId: id },
    bot: { id: '28:bot', name: 'DevOps Points' },
    locale: 'en-US',
  },
  savedAt: '2026-01-02T10:00:00.000Z',
});

/** Hostile puts, typed as puts because the point is what gets past the type checker at run time. */
const hostile = (collection: string, record: unknown) => [collection, record] as unknown as Put;
const withReference = (patch: Record<string, unknown>) => ({ ...conversation('aad-1'), reference: { ...conversation('aad-1').reference, ...patch } });

const refused: [string, Put, string, string, RegExp][] = [
  ['a conversation whose locale is a number', hostile('conversations', withReference({ locale: 5 })), 'conversations', 'aad-1', /reference\.locale: must be string/],
  ['a conversation whose user name is an object', hostile('conversations', withReference({ user: { id: '29:x', name: { x: 1 } } })), 'conversations', 'aad-1', /reference\.user\.name: must be string/],
  ['a conversation whose tenant id is a number', hostile('conversations', withReference({ conversation: { id: 'a:1', tenantId: 7 } })), 'conversations', 'aad-1', /reference\.conversation\.tenantId: must be string/],
  ['a conversation with an empty id (an empty aadObjectId)', hostile('conversations', conversation('')), 'conversations', '', /^id: must NOT have fewer than 1 characters/],
  ['a member with an extra field', hostile('members', { ...member(9), admin: true }), 'members', 'm9', /unexpected field "admin"/],
  ['a ledger entry with fractional points', hostile('ledger', { ...entry, points: 1.5 }), 'ledger', 'e1', /points: must be integer/],
  ['a ledger entry with NaN points', hostile('ledger', { ...entry, points: Number.NaN }), 'ledger', 'e1', /points: must be integer/],
  ['a ledger entry with infinite points', hostile('ledger', { ...entry, points: Infinity }), 'ledger', 'e1', /points: must be integer/],
  ['a marker whose instant is a Date', hostile('markers', { id: 'notify.pass', at: new Date() }), 'markers', 'notify.pass', /at: must be string/],
  ['a record that is not an object', hostile('preferences', null), 'preferences', 'undefined', /the record: must be object/],
  ['a collection that does not exist', hostile('toString', { id: 'x' }), 'toString', 'x', /"toString" is not a collection of the store/],
];

describe('writes the store would not load', () => {
  it.each(refused)('refuses %s: nothing applied, nothing journaled, logged, and the store reopens', async (_what, put, collection, id, problem) => {
    const db = scratchDb();
    const logged: { details: object; message: string }[] = [];
    const log: StoreLog = { info: () => {}, error: (details, message) => logged.push({ details, message }) };
    const store = await Store.open(db, { command: 'refusal test', log });
    await store.transact((tx) => tx.put(['members', member(1)]));
    // A good put before the bad one proves the whole transaction is undone.
    const error = await store
      .transact((tx) => {
        tx.put(['members', { ...member(1), name: 'Renamed' }]);
        tx.put(put);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreRecordError);
    expect(error).toMatchObject({ collection, id, problem: expect.stringMatching(problem) });
    expect((error as Error).message).toMatch(new RegExp(`^the store refuses the ${collection} record "${id}": `));
    expect(store.state.member('m1')?.name).toBe('Member 1');
    expect(logged).toEqual([{ details: { store: db, collection, id, problem: expect.stringMatching(problem) }, message: `refused a write: ${(error as Error).message}` }]);
    await store.transact((tx) => tx.put(['members', member(2)]));
    await store.close();

    expect(journalsOf(db).map((path) => readFileSync(path, 'utf8')).join('')).not.toContain('Renamed');
    const reopened = await Store.open(db, { command: 'refusal test' });
    expect([...reopened.state.members.values()]).toEqual([member(1), member(2)]);
    await reopened.close();
  });

  it('refuses a record even when the transaction catches the refusal and goes on', async () => {
    const db = scratchDb();
    const logged: string[] = [];
    const store = await Store.open(db, { command: 'refusal test', log: { info: () => {}, error: (_details, message) => logged.push(message) } });
    await store.transact((tx) => {
      expect(() => tx.put(hostile('conversations', withReference({ locale: 5 })))).toThrow(StoreRecordError);
      tx.put(['members', member(1)]);
    });
    await store.close();
    expect(logged).toEqual([expect.stringContaining('reference.locale: must be string')]);
    const state = await readStore(db);
    expect(state.conversations.size).toBe(0);
    expect(state.member('m1')).toEqual(member(1));
  });

  it('without a logger stays silent and still throws the refusal to the caller', async () => {
    const db = scratchDb();
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const store = await Store.open(db, { command: 'refusal test' });
      const error = await store.transact((tx) => tx.put(hostile('members', { ...member(1), admin: true }))).catch((e: unknown) => e);
      await store.close();
      expect(error).toBeInstanceOf(StoreRecordError);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });

  it('always reopens after hundreds of generated hostile conversation references', async () => {
    // A fixed seed: the same cases on every run, so a failure can be replayed.
    let seed = 0x2f6e2b1;
    const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const values = [5, -1, 1.5, Number.NaN, null, true, '', 'x'.repeat(3), {}, [], ['a'], { id: 1 }, undefined, new Date(0), '2026-13-45T99:00:00.000Z'];
    const paths = [
      ['id'], ['memberId'], ['savedAt'], ['removedAt'], ['unreachable'], ['extra'],
      ['reference', 'locale'], ['reference', 'channelId'], ['reference', 'serviceUrl'], ['reference', 'extra'],
      ['reference', 'conversation'], ['reference', 'conversation', 'id'], ['reference', 'conversation', 'tenantId'], ['reference', 'conversation', 'conversationType'],
      ['reference', 'user'], ['reference', 'user', 'id'], ['reference', 'user', 'name'], ['reference', 'user', 'aadObjectId'],
      ['reference', 'bot', 'id'], ['reference', 'bot', 'name'],
    ];
    const db = scratchDb();
    const store = await Store.open(db, { command: 'fuzz test', log: { info: () => {}, error: () => {} } });
    let accepted = 0;
    let refusedCount = 0;
    for (let i = 0; i < 400; i += 1) {
      const record = structuredClone(conversation(`aad-${i % 50}`)) as unknown as Record<string, unknown>;
      for (let changes = 1 + Math.floor(random() * 3); changes > 0; changes -= 1) {
        const path = pick(paths);
        let target = record;
        for (const key of path.slice(0, -1)) {
          if (target[key] === null || typeof target[key] !== 'object') target[key] = {};
          target = target[key] as Record<string, unknown>;
        }
        target[path.at(-1)!] = pick(values);
      }
      try {
        await store.transact((tx) => tx.put(hostile('conversations', record)));
        accepted += 1;
      } catch (error) {
        expect(error).toBeInstanceOf(StoreRecordError);
        refusedCount += 1;
      }
    }
    const live = JSON.stringify([...store.state.conversations.values()]);
    await store.close();
    expect(refusedCount).toBeGreaterThan(200);
    expect(accepted).toBeGreaterThan(0);
    expect(JSON.stringify([...(await readStore(db)).conversations.values()])).toBe(live);
    const reopened = await Store.open(db, { command: 'fuzz test' });
    await reopened.close();
  });
});
