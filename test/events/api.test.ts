// POST /api/events through the real server: signed batches, retries, refusals, concurrency, reversals,
// the rate limit, and promotions from API credits reaching the proactive loop.
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/events/signature.js';
import { runPass } from '../../src/notify/pass.js';
import { activity, NOW, readable, startBot, type BotHarness } from '../support/bot-server.js';
import { catalog, quiet, settings, virtualClock } from '../support/notify.js';

const SECRET = 'a-long-shared-secret-for-tests';
const ts = (offsetSeconds = 0) => String(Math.floor(NOW / 1000) + offsetSeconds);
const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2025-12-01' },
  { type: 'member', id: 'aad-cas', email: 'cas@example.com', name: 'Cas Janssens', signedUpAt: '2025-06-01' },
];

let bot: BotHarness | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function start(env: Record<string, string> = { EVENTS_SECRET: SECRET }, eventsReadDeadlineMs?: number): Promise<BotHarness> {
  bot = await startBot({ seed, env, ...(eventsReadDeadlineMs !== undefined && { eventsReadDeadlineMs }) });
  return bot;
}

interface Sent {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function send(h: BotHarness, body: string, headers: Record<string, string | undefined> = {}): Promise<Sent> {
  const timestamp = ts();
  const all: Record<string, string> = {};
  for (const [name, value] of Object.entries({ 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature-256': sign(SECRET, timestamp, body), ...headers })) {
    if (value !== undefined) all[name] = value;
  }
  const response = await fetch(`${h.url}/api/events`, { method: 'POST', headers: all, body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}

const batch = (records: unknown[]) => JSON.stringify({ records });
const credit = (id: string, member: string, action = 'qa.answer', extra: Record<string, unknown> = {}) => ({ type: 'credit', id, member, action, at: '2026-11-20T10:00:00Z', ...extra });
const points = (h: BotHarness, member: string) => h.store.state.entriesOf(member).reduce((sum, e) => sum + e.points, 0);

describe('POST /api/events', () => {
  it('applies a valid batch and answers the counts of new and known records', async () => {
    const h = await start();
    const answer = await send(h, batch([
      { type: 'member', id: 'aad-dirk', email: 'dirk@example.com', name: 'Dirk', signedUpAt: '2026-01-05' },
      credit('ev-1', 'aad-dirk'),
      credit('ev-2', 'ann@example.com', 'qa.ask'),
    ]));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ records: 3, new: { member: 1, credit: 2 }, known: { member: 0, credit: 0 }, entries: 2, points: 35 });
    expect(h.store.state.entry('ev-1')).toMatchObject({ memberId: 'aad-dirk', points: 25, source: 'api' });
  });

  it('answers a retried batch the same, and changes nothing', async () => {
    const h = await start();
    const body = batch([credit('ev-1', 'aad-ann'), credit('ev-2', 'aad-cas')]);
    const first = await send(h, body);
    const size = h.store.state.ledger.size;
    const again = await send(h, body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(h.store.state.ledger.size).toBe(size);
    // Another batch with the same records is a no-op too, counted as known.
    const overlapping = await send(h, batch([credit('ev-2', 'aad-cas'), credit('ev-1', 'aad-ann')]));
    expect(overlapping.body).toMatchObject({ new: { credit: 0 }, known: { credit: 2 } });
    expect(h.store.state.ledger.size).toBe(size);
  });

  it('answers identical batches sent at once the same, applying them once', async () => {
    const h = await start();
    const body = batch([credit('ev-1', 'aad-ann'), credit('ev-2', 'aad-cas')]);
    const answers = await Promise.all([send(h, body), send(h, body), send(h, body)]);
    expect(answers.map((a) => a.body)).toEqual(Array(3).fill(expect.objectContaining({ new: expect.objectContaining({ credit: 2 }) })));
    expect((await send(h, body)).body).toEqual(answers[0]!.body);
    expect(points(h, 'aad-ann')).toBe(25);
  });

  it('refuses an unsigned request before reading its body, however large', async () => {
    const h = await start();
    const answer = await send(h, 'x'.repeat(3 * 1024 * 1024), { 'x-signature-256': undefined });
    expect(answer.status).toBe(401);
  });

  it('finds the route under an encoded path too', async () => {
    const h = await start();
    const body = batch([credit('ev-1', 'aad-ann')]);
    const timestamp = ts();
    const response = await fetch(`${h.url}/api/%65vents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature-256': sign(SECRET, timestamp, body) },
      body,
    });
    expect(response.status).toBe(200);
  });

  it('answers 408 to a body that stops arriving', async () => {
    const h = await start({ EVENTS_SECRET: SECRET }, 200);
    const { request } = await import('node:http');
    const body = batch([credit('ev-1', 'aad-ann')]);
    const timestamp = ts();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length + 100), 'x-timestamp': timestamp, 'x-signature-256': sign(SECRET, timestamp, body) },
      }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.write(body);
    });
    expect(status).toBe(408);
    expect(h.store.state.ledger.size).toBe(0);
  });

  it('refuses what is not signed right, with 401, and applies nothing', async () => {
    const h = await start();
    const body = batch([credit('ev-1', 'aad-ann')]);
    const old = ts(-120);
    const cases: [string, Record<string, string | undefined>][] = [
      ['no signature', { 'x-signature-256': undefined }],
      ['no timestamp', { 'x-timestamp': undefined }],
      ['a wrong signature', { 'x-signature-256': sign('another-secret', ts(), body) }],
      ['a stale timestamp', { 'x-timestamp': ts(-400), 'x-signature-256': sign(SECRET, ts(-400), body) }],
      ['a replayed body with a new timestamp but the old signature', { 'x-timestamp': ts(), 'x-signature-256': sign(SECRET, old, body) }],
    ];
    for (const [name, headers] of cases) {
      const answer = await send(h, body, headers);
      expect(answer.status, name).toBe(401);
      expect(String(answer.body.error), name).toMatch(/^Not authenticated: /);
    }
    expect(h.store.state.entry('ev-1')).toBeUndefined();
  });

  it('refuses oversized, malformed and mistyped bodies with a clear JSON error', async () => {
    const h = await start();
    const many = batch(Array.from({ length: 1001 }, (_, i) => credit(`ev-${i}`, 'aad-ann')));
    const huge = batch([credit('ev-x', 'aad-ann', 'qa.answer', { note: 'x'.repeat(2.1 * 1024 * 1024) })]);
    const cases: [string, string, Record<string, string>, number, RegExp][] = [
      ['over 1,000 records', many, {}, 413, /at most 1,000 records/],
      ['over 2 MiB', huge, {}, 413, /at most 2 MiB/],
      ['not JSON', '{"records": [', {}, 400, /not JSON/],
      ['not {records}', '[1,2]', {}, 400, /\{"records": \[\.\.\.\]\}/],
      ['no records', batch([]), {}, 400, /no records/],
      ['another content type', batch([credit('ev-1', 'aad-ann')]), { 'content-type': 'text/plain' }, 415, /application\/json/],
    ];
    for (const [name, body, headers, status, error] of cases) {
      const answer = await send(h, body, headers);
      expect(answer.status, name).toBe(status);
      expect(String(answer.body.error), name).toMatch(error);
    }
    expect(h.store.state.ledger.size).toBe(0);
  });

  it('lists every bad record by index with its reason (422), and applies none of the batch', async () => {
    const h = await start();
    const answer = await send(h, batch([
      credit('ev-1', 'aad-ann'),
      credit('ev-2', 'nobody@example.com'),
      credit('ev-3', 'aad-ann', 'qa.nothing'),
      { type: 'credit', id: 'ev-4', member: 'aad-ann', action: 'qa.ask', at: '2026-11-20 10:00' },
      { type: 'gift', id: 'ev-5' },
    ]));
    expect(answer.status).toBe(422);
    const problems = answer.body.problems as { index: number; message: string }[];
    expect(problems.map((p) => p.index)).toEqual([1, 2, 3, 4]);
    expect(problems[0]!.message).toContain('nobody@example.com');
    expect(problems[1]!.message).toContain('qa.nothing');
    expect(problems[2]!.message).toContain('"at"');
    expect(h.store.state.ledger.size).toBe(0);
  });

  it('loses no update when batches touch the same members at once, monthly caps included', async () => {
    const h = await start({ EVENTS_SECRET: SECRET, EVENTS_BURST: '100' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(h, batch([credit(`ans-${i}`, 'aad-ann'), credit(`fb-${i}`, 'aad-ann', 'feedback.form'), credit(`cas-${i}`, 'aad-cas', 'qa.ask')])),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    // 20 answers of 25; feedback is capped at 100 a month however the batches interleave.
    expect(points(h, 'aad-ann')).toBe(20 * 25 + 100);
    expect(points(h, 'aad-cas')).toBe(20 * 10);
  });

  it('takes back a withdrawn upvote with a reversal', async () => {
    const h = await start();
    await send(h, batch([credit('up-1', 'aad-ann', 'qa.upvote-received')]));
    expect(points(h, 'aad-ann')).toBe(25);
    const answer = await send(h, batch([{ type: 'reversal', id: 'up-1-withdrawn', reverses: 'up-1', at: '2026-11-21T09:00:00Z', note: 'upvote withdrawn' }]));
    expect(answer.body).toMatchObject({ new: { reversal: 1 }, points: -25 });
    expect(points(h, 'aad-ann')).toBe(0);
    expect(h.store.state.reversalOf('up-1')?.id).toBe('up-1-withdrawn');
    const twice = await send(h, batch([{ type: 'reversal', id: 'up-1-again', reverses: 'up-1', at: '2026-11-21T09:05:00Z' }]));
    expect(twice.status).toBe(422);
  });

  it('limits each source, answering 429 with Retry-After', async () => {
    const h = await start({ EVENTS_SECRET: SECRET, EVENTS_RATE: '1', EVENTS_BURST: '2' });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i += 1) {
      const answer = await send(h, batch([credit(`ev-${i}`, 'aad-ann')]));
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(h.store.state.entry('ev-2')).toBeUndefined();
  });

  it('does not exist without a secret', async () => {
    const h = await start({});
    expect((await send(h, batch([credit('ev-1', 'aad-ann')]))).status).toBe(404);
  });

  it("gives members credited through the API their promotion through the proactive loop", async () => {
    const h = await start();
    await h.post(activity(h, { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' }, { type: 'installationUpdate', action: 'add' }));
    await send(h, batch([credit('cert-1', 'aad-ann', 'cert.configurator')]));
    h.connector.clear();
    const report = await runPass({ store: h.store, catalog, settings: settings(), transport: h.server.transport, log: quiet, clock: virtualClock(NOW) }, NOW);
    expect(report).toMatchObject({ sent: 1 });
    expect(readable(h.connector.sent())).toContain('You are now a DevOps Advocate');
  });
});
