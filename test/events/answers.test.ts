// The events API's answers kept in the store, with the batch they answer: a retry gets the first
// answer after a restart, through another instance on the same PostgreSQL database, and never adds
// anything; the answers stay a ring of 10,000 however many batches arrive.
import { describe, expect, it } from 'vitest';
import { ANSWER_SLOTS, ANSWER_TTL_MS } from '../../src/events/answers.js';
import { handleEvents, type EventsAnswer, type InFlight } from '../../src/events/events-api.js';
import { RateLimiter } from '../../src/events/rate-limit.js';
import { SIGNATURE_HEADER, sign, TIMESTAMP_HEADER } from '../../src/events/signature.js';
import type { PointsStore } from '../../src/store/contract.js';
import { storeAdapters } from '../store/adapters.js';
import { catalog, quiet } from '../support/notify.js';
import { adminQuery } from '../support/postgres.js';

const SECRET = 'a-long-shared-secret-for-tests';
const NOW = Date.parse('2026-11-23T12:00:00Z');

/** One instance's POST /api/events on a store, as the route makes it: its own in-flight batches and rate limit (never reached here). */
function instance(store: PointsStore): (body: string, now?: number) => Promise<EventsAnswer> {
  const inFlight: InFlight = new Map();
  const limiter = new RateLimiter(1_000_000, 1_000_000);
  return (body, now = NOW) => {
    const timestamp = String(Math.floor(now / 1000));
    const headers = { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: sign(SECRET, timestamp, body) };
    return handleEvents({ store, catalog, secret: SECRET, limiter, now: () => now, log: quiet }, inFlight, { body: Buffer.from(body), headers, source: '127.0.0.1' });
  };
}

const batch = (records: unknown[]) => JSON.stringify({ records });
const member = (id: string) => ({ type: 'member', id, email: `${id}@example.com`, name: id, signedUpAt: '2026-01-05' });
const credit = (id: string, memberId = 'ann') => ({ type: 'credit', id, member: memberId, action: 'qa.answer', at: '2026-11-20T10:00:00Z' });
const twoCredits = batch([credit('ev-1'), credit('ev-2')]);
const applied = { status: 200, body: expect.objectContaining({ records: 2, new: expect.objectContaining({ credit: 2 }), known: expect.objectContaining({ credit: 0 }), entries: 2, points: 50 }) };

const adapters = storeAdapters();

describe.each(adapters)('the answers on the $name store', (adapter) => {
  async function seeded(): Promise<{ where: string; store: PointsStore }> {
    const where = await adapter.fresh();
    const store = await adapter.open(where);
    expect((await instance(store)(batch([member('ann')]))).status).toBe(200);
    return { where, store };
  }

  it('answers a batch retried after a restart with the first answer, and writes nothing', async () => {
    const { where, store } = await seeded();
    const first = await instance(store)(twoCredits);
    expect(first).toEqual(applied);
    await store.close();

    const reopened = await adapter.open(where);
    const before = await adapter.written(where);
    const again = await instance(reopened)(twoCredits);
    expect(again).toEqual(first);
    expect(await adapter.written(where)).toBe(before);
    expect(reopened.state.entriesOf('ann').map((e) => e.id)).toEqual(['ev-1', 'ev-2']);
  });

  it('keeps no answer for a refused batch: it applied nothing, and its retry is checked again', async () => {
    const { store } = await seeded();
    const send = instance(store);
    const refused = batch([credit('ev-1'), credit('ev-2', 'nobody@example.com')]);
    expect((await send(refused)).status).toBe(422);
    expect(store.state.answers.size).toBe(1);
    expect((await send(batch([member('nobody')]))).status).toBe(200);
    expect(await send(refused)).toEqual({ status: 200, body: expect.objectContaining({ new: expect.objectContaining({ credit: 2 }) }) });
  });

  it('answers a retry older than a day afresh, a no-op counting its records as known, and then keeps that answer', async () => {
    const { store } = await seeded();
    const send = instance(store);
    await send(twoCredits);
    const later = NOW + ANSWER_TTL_MS + 1000;
    const afresh = await send(twoCredits, later);
    expect(afresh).toEqual({ status: 200, body: expect.objectContaining({ new: expect.objectContaining({ credit: 0 }), known: expect.objectContaining({ credit: 2 }), entries: 0, points: 0 }) });
    expect(await send(twoCredits, later)).toEqual(afresh);
    expect(store.state.ledger.size).toBe(2);
  });

  it(`keeps ${ANSWER_SLOTS.toLocaleString('en-US')} answers after ${(ANSWER_SLOTS + 50).toLocaleString('en-US')} batches, and an evicted answer's retry is still a no-op`, async () => {
    const where = await adapter.fresh();
    const store = await adapter.open(where);
    const send = instance(store);
    const bodies = Array.from({ length: ANSWER_SLOTS + 50 }, (_, i) => batch([member(`m${i}`)]));
    const answers = await Promise.all(bodies.map((body) => send(body)));
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);

    const kept = await adapter.read(where);
    expect(kept.answers.size).toBe(ANSWER_SLOTS);
    expect(new Set(kept.answers.keys())).toEqual(new Set(Array.from({ length: ANSWER_SLOTS }, (_, i) => `slot-${i}`)));
    expect(kept.latestAnswer()?.serial).toBe(ANSWER_SLOTS + 50);

    // The first 50 answers gave their slots to the last 50.
    const evicted = await send(bodies[0]!);
    expect(evicted.body).toMatchObject({ new: { member: 0 }, known: { member: 1 } });
    expect(await send(bodies.at(-1)!)).toEqual(answers.at(-1));
    expect(answers.at(-1)!.body).toMatchObject({ new: { member: 1 }, known: { member: 0 } });
    expect(store.state.members.size).toBe(ANSWER_SLOTS + 50);
    expect(store.state.answers.size).toBe(ANSWER_SLOTS);
  });
});

const postgres = adapters.find((adapter) => adapter.name === 'postgres');

describe.skipIf(!postgres)('the answers shared by two instances on one PostgreSQL database', () => {
  const version = async (url: string) => Number((await adminQuery(url, 'SELECT seq FROM store_version')).rows[0].seq);

  async function twoInstances(): Promise<{ url: string; a: PointsStore; b: PointsStore }> {
    const url = await postgres!.fresh();
    const [a, b] = await Promise.all([postgres!.open(url), postgres!.open(url)]);
    expect((await instance(a)(batch([member('ann')]))).status).toBe(200);
    return { url, a, b };
  }

  it("gives a batch applied through A and retried through B A's exact answer, and B writes nothing", async () => {
    const { url, a, b } = await twoInstances();
    const first = await instance(a)(twoCredits);
    expect(first).toEqual(applied);
    const before = await version(url);
    // At once: B's transaction reads A's commit before it looks, whatever B's view holds yet.
    expect(await instance(b)(twoCredits)).toEqual(first);
    expect(await version(url)).toBe(before);
    expect(b.state.entriesOf('ann').map((e) => e.id)).toEqual(['ev-1', 'ev-2']);
  });

  it('applies a batch sent to both at once one time, and answers both the same', async () => {
    const { url, a, b } = await twoInstances();
    const before = await version(url);
    const [fromA, fromB] = await Promise.all([instance(a)(twoCredits), instance(b)(twoCredits)]);
    expect(fromA).toEqual(applied);
    expect(fromB).toEqual(fromA);
    expect(await version(url)).toBe(before + 1);
    const { rows } = await adminQuery(url, "SELECT count(*)::int AS n FROM store_records WHERE collection = 'ledger'");
    expect(rows[0].n).toBe(2);
  });
});
