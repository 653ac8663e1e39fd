// The store contract (src/store/contract.ts), one table of cases run against every adapter: the JSON
// store and PostgreSQL. What only one adapter has (the JSON store's files, journal and lock; two
// PostgreSQL instances on one database) is tested beside it, in store.test.ts and postgres.test.ts.
import { describe, expect, it, vi } from 'vitest';
import type { PartnerActivity } from '../../src/core/partner-records.js';
import { importRecords, type BatchResult } from '../../src/services/import-records.js';
import { Rollback, StoreRecordError, type PointsStore, type StoreLog } from '../../src/store/contract.js';
import type { ConversationRecord } from '../../src/store/schema.js';
import type { Put, State } from '../../src/store/state.js';
import { defaultCatalog } from '../support/catalog.js';
import { storeAdapters } from './adapters.js';
import { entry, member } from './records.js';

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
const ledgerEntry = { ...entry('e1'), source: 'bot', by: 'm1' };

const refused: [string, Put, string, string, RegExp][] = [
  ['a conversation whose locale is a number', hostile('conversations', withReference({ locale: 5 })), 'conversations', 'aad-1', /reference\.locale: must be string/],
  ['a conversation whose user name is an object', hostile('conversations', withReference({ user: { id: '29:x', name: { x: 1 } } })), 'conversations', 'aad-1', /reference\.user\.name: must be string/],
  ['a conversation whose tenant id is a number', hostile('conversations', withReference({ conversation: { id: 'a:1', tenantId: 7 } })), 'conversations', 'aad-1', /reference\.conversation\.tenantId: must be string/],
  ['a conversation with an empty id (an empty aadObjectId)', hostile('conversations', conversation('')), 'conversations', '', /^id: must NOT have fewer than 1 characters/],
  ['a member with an extra field', hostile('members', { ...member(9), admin: true }), 'members', 'm9', /unexpected field "admin"/],
  ['a ledger entry with fractional points', hostile('ledger', { ...ledgerEntry, points: 1.5 }), 'ledger', 'e1', /points: must be integer/],
  ['a ledger entry with NaN points', hostile('ledger', { ...ledgerEntry, points: Number.NaN }), 'ledger', 'e1', /points: must be integer/],
  ['a ledger entry with infinite points', hostile('ledger', { ...ledgerEntry, points: Infinity }), 'ledger', 'e1', /points: must be integer/],
  ['a marker whose instant is a Date', hostile('markers', { id: 'notify.pass', at: new Date() }), 'markers', 'notify.pass', /at: must be string/],
  ['a record that is not an object', hostile('preferences', null), 'preferences', 'undefined', /the record: must be object/],
  ['a collection that does not exist', hostile('toString', { id: 'x' }), 'toString', 'x', /"toString" is not a collection of the store/],
];

const catalog = defaultCatalog();
const origin = { source: 'import' as const, by: 'test' };
const NOW = Date.parse('2025-06-15T10:00:00Z');
const imported = (store: PointsStore, records: unknown[]): Promise<BatchResult> =>
  importRecords(store, catalog, records.map((value, i) => ({ index: i + 1, value })), origin, NOW);
const ann = { type: 'member', id: 'ann', email: 'ann@example.com', name: 'Ann', signedUpAt: '2024-01-10' };
const feedback = (id: string, at = '2025-03-03T10:00:00Z') => ({ type: 'credit', id, member: 'ann', action: 'feedback.form', at });

describe.each(storeAdapters())('the $name store', (adapter) => {
  async function openFresh(options?: { log?: StoreLog }): Promise<{ where: string; store: PointsStore }> {
    const where = await adapter.fresh();
    return { where, store: await adapter.open(where, options) };
  }

  describe('transactions', () => {
    it('keeps acknowledged writes across a reopen', async () => {
      const { where, store } = await openFresh();
      await store.transact((tx) => {
        tx.put(['members', member(1)]);
        tx.put(['ledger', entry('e1')]);
      });
      await store.close();
      const state = await adapter.read(where);
      expect(state.member('m1')).toEqual(member(1));
      expect(state.entriesOf('m1').map((e) => e.id)).toEqual(['e1']);
      expect(state.memberByEmail('M1@EXAMPLE.COM')?.id).toBe('m1');
      const again = await adapter.open(where);
      expect([...again.state.members.values()]).toEqual([member(1)]);
    });

    it('shows a caller its own write as soon as its transaction resolves', async () => {
      const { store } = await openFresh();
      const result = await store.transact((tx) => {
        tx.put(['members', member(1)]);
        return 'done';
      });
      expect(result).toBe('done');
      expect(store.state.member('m1')).toEqual(member(1));
    });

    it('keeps records in the order they were first written, and same-instant entries in write order', async () => {
      const { where, store } = await openFresh();
      await store.transact((tx) => {
        tx.put(['members', member(3)]);
        tx.put(['members', member(1)]);
        tx.put(['ledger', entry('late', 'm1')]);
      });
      await store.transact((tx) => {
        tx.put(['members', { ...member(3), name: 'Renamed' }]);
        tx.put(['members', member(2)]);
        tx.put(['ledger', entry('early', 'm1')]);
      });
      await store.close();
      const state = await adapter.read(where);
      expect([...state.members.keys()]).toEqual(['m3', 'm1', 'm2']);
      expect(state.member('m3')?.name).toBe('Renamed');
      expect(state.entriesOf('m1').map((e) => e.id)).toEqual(['late', 'early']);
    });

    it('undoes every put of a transaction that throws', async () => {
      const { where, store } = await openFresh();
      await store.transact((tx) => tx.put(['members', member(1)]));
      await expect(
        store.transact((tx) => {
          tx.put(['members', { ...member(1), name: 'Renamed' }]);
          tx.put(['members', member(2)]);
          tx.put(['ledger', entry('e1')]);
          throw new Rollback('no');
        }),
      ).rejects.toBeInstanceOf(Rollback);
      expect(store.state.member('m1')?.name).toBe('Member 1');
      expect(store.state.member('m2')).toBeUndefined();
      expect(store.state.memberByEmail('m2@example.com')).toBeUndefined();
      expect(store.state.entry('e1')).toBeUndefined();
      expect(store.state.entriesOf('m1')).toEqual([]);
      await store.close();
      expect([...(await adapter.read(where)).members.values()]).toEqual([member(1)]);
    });

    it('loses no update when many transactions read and write the same record at once', async () => {
      const { where, store } = await openFresh();
      await store.transact((tx) => tx.put(['members', { ...member(1), name: '0' }]));
      // Each transaction reads the counter and writes it back plus one: a lost update would show.
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          store.transact((tx) => {
            const current = Number(tx.view.member('m1')!.name);
            tx.put(['members', { ...member(1), name: String(current + 1) }]);
            tx.put(['ledger', entry(`e${i}`)]);
          }),
        ),
      );
      await store.close();
      const state = await adapter.read(where);
      expect(state.member('m1')?.name).toBe('200');
      expect(state.entriesOf('m1')).toHaveLength(200);
    });

    it('writes a large transaction whole and reads it back whole', async () => {
      const { where, store } = await openFresh();
      await store.transact((tx) => {
        tx.put(['members', member(1)]);
        for (let i = 0; i < 12_000; i += 1) tx.put(['ledger', { ...entry(`big-${i}`), note: 'x'.repeat(100) }]);
      });
      await store.close();
      const entries = (await adapter.read(where)).entriesOf('m1');
      expect(entries).toHaveLength(12_000);
      expect(entries[11_999]).toEqual({ ...entry('big-11999'), note: 'x'.repeat(100) });
    });

    it('indexes partners, their people, activities and deals, and undoes them all with a rolled-back transaction', async () => {
      const { where, store } = await openFresh();
      const activity = (id: string, status: 'registered' | 'won'): PartnerActivity => ({
        id, partnerId: 'p-acme', metric: 'business.deal', at: '2026-02-01T10:00:00.000Z', count: 1, deal: 'D1', status, source: 'import', by: 'test',
      });
      await store.transact((tx) => {
        tx.put(['partners', { id: 'p-acme', name: 'Acme Media' }]);
        tx.put(['members', { ...member(1), partnerId: 'p-acme' }]);
        tx.put(['partnerActivities', activity('d1-reg', 'registered')]);
      });
      await expect(
        store.transact((tx) => {
          tx.put(['members', { ...member(2), partnerId: 'p-acme' }]);
          tx.put(['members', { ...member(1), partnerId: 'p-other' }]);
          tx.put(['partnerActivities', activity('d1-won', 'won')]);
          expect(tx.view.dealEvents('p-acme', 'D1').map((a) => a.id)).toEqual(['d1-reg', 'd1-won']);
          expect(tx.view.membersOf('p-acme').map((m) => m.id)).toEqual(['m2']);
          throw new Rollback('no');
        }),
      ).rejects.toBeInstanceOf(Rollback);
      const check = (state: State) => {
        expect(state.partner('p-acme')?.name).toBe('Acme Media');
        expect(state.activity('d1-reg')?.status).toBe('registered');
        expect(state.activity('d1-won')).toBeUndefined();
        expect(state.dealEvents('p-acme', 'D1').map((a) => a.id)).toEqual(['d1-reg']);
        expect(state.dealEvents('p-other', 'D1')).toEqual([]);
        expect(state.activitiesOf('p-acme').map((a) => a.id)).toEqual(['d1-reg']);
        expect(state.membersOf('p-acme').map((m) => m.id)).toEqual(['m1']);
        expect(state.membersOf('p-other')).toEqual([]);
      };
      check(store.state);
      await store.close();
      check(await adapter.read(where));
    });
  });

  describe('writes the store would not load', () => {
    it.each(refused)('refuses %s: nothing applied, nothing written, logged, and the store reopens', async (_what, put, collection, id, problem) => {
      const logged: { details: object; message: string }[] = [];
      const log: StoreLog = { info: () => {}, error: (details, message) => logged.push({ details, message }) };
      const { where, store } = await openFresh({ log });
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
      expect(logged).toEqual([{ details: { store: store.location, collection, id, problem: expect.stringMatching(problem) }, message: `refused a write: ${(error as Error).message}` }]);
      await store.transact((tx) => tx.put(['members', member(2)]));
      await store.close();

      expect(await adapter.written(where)).not.toContain('Renamed');
      const reopened = await adapter.open(where);
      expect([...reopened.state.members.values()]).toEqual([member(1), member(2)]);
    });

    it('refuses a record even when the transaction catches the refusal and goes on', async () => {
      const logged: string[] = [];
      const { where, store } = await openFresh({ log: { info: () => {}, error: (_details, message) => logged.push(message) } });
      await store.transact((tx) => {
        expect(() => tx.put(hostile('conversations', withReference({ locale: 5 })))).toThrow(StoreRecordError);
        tx.put(['members', member(1)]);
      });
      await store.close();
      expect(logged).toEqual([expect.stringContaining('reference.locale: must be string')]);
      const state = await adapter.read(where);
      expect(state.conversations.size).toBe(0);
      expect(state.member('m1')).toEqual(member(1));
    });

    it('without a logger stays silent and still throws the refusal to the caller', async () => {
      const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const { store } = await openFresh();
        const error = await store.transact((tx) => tx.put(hostile('members', { ...member(1), admin: true }))).catch((e: unknown) => e);
        await store.close();
        expect(error).toBeInstanceOf(StoreRecordError);
        expect(printed).not.toHaveBeenCalled();
      } finally {
        printed.mockRestore();
      }
    });

    it('always reopens after hundreds of generated hostile conversation references, holding exactly what it acknowledged', async () => {
      // A fixed seed: the same cases on every run, so a failure can be replayed.
      let seed = 0x2f6e2b1;
      const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const values = [5, -1, 1.5, Number.NaN, null, true, '', 'x'.repeat(3), {}, [], ['a'], { id: 1 }, undefined, new Date(0), '2026-13-45T99:00:00.000Z', 'nul\u0000byte', 'half \ud800 pair'];
      const paths = [
        ['id'], ['memberId'], ['savedAt'], ['removedAt'], ['unreachable'], ['extra'],
        ['reference', 'locale'], ['reference', 'channelId'], ['reference', 'serviceUrl'], ['reference', 'extra'],
        ['reference', 'conversation'], ['reference', 'conversation', 'id'], ['reference', 'conversation', 'tenantId'], ['reference', 'conversation', 'conversationType'],
        ['reference', 'user'], ['reference', 'user', 'id'], ['reference', 'user', 'name'], ['reference', 'user', 'aadObjectId'],
        ['reference', 'bot', 'id'], ['reference', 'bot', 'name'],
      ];
      const { where, store } = await openFresh({ log: { info: () => {}, error: () => {} } });
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
      expect(JSON.stringify([...(await adapter.read(where)).conversations.values()])).toBe(live);
      const reopened = await adapter.open(where);
      expect(JSON.stringify([...reopened.state.conversations.values()])).toBe(live);
    });
  });

  describe('the import, its idempotency and its caps', () => {
    it('imports a file all or nothing: one bad line, and nothing of the file is written', async () => {
      const { where, store } = await openFresh();
      const result = await imported(store, [ann, feedback('f1'), { ...feedback('f2'), member: 'nobody' }]);
      expect(result).toMatchObject({ ok: false, problems: [{ index: 3 }] });
      expect(store.state.members.size).toBe(0);
      await store.close();
      expect((await adapter.read(where)).ledger.size).toBe(0);
    });

    it('writes each record once by its id: the same file again is a no-op', async () => {
      const { where, store } = await openFresh();
      const file = [ann, feedback('f1'), feedback('f2', '2025-03-04T10:00:00Z')];
      expect(await imported(store, file)).toMatchObject({ ok: true });
      const again = await imported(store, file);
      expect(again).toMatchObject({ ok: true });
      await store.close();
      const state = await adapter.read(where);
      expect(state.entriesOf('ann').map((e) => e.id)).toEqual(['f1', 'f2']);
    });

    it('holds a monthly cap over transactions: the third feedback of a month earns nothing', async () => {
      const { where, store } = await openFresh();
      await imported(store, [ann]);
      for (const [id, day] of [['f1', '03'], ['f2', '10'], ['f3', '20']] as const) await imported(store, [feedback(id, `2025-03-${day}T10:00:00Z`)]);
      await store.close();
      const entries = (await adapter.read(where)).entriesOf('ann');
      expect(entries.map((e) => [e.id, e.points])).toEqual([['f1', 50], ['f2', 50], ['f3', 0]]);
    });
  });
});
