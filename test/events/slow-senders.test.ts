// POST /api/events against clients that hold bodies open: one address cannot take the reading slots of
// the others, a body that arrives too slowly is cut with 408, and every refusal closes the connection.
// Loopback clients bind to 127.0.0.2 and 127.0.0.3 (Linux routes all of 127/8 to lo) to be two addresses.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_READING, MAX_READING_PER_SOURCE, sourceOf } from '../../src/events/route.js';
import { sign } from '../../src/events/signature.js';
import { discard, NOW, startBot, type BotHarness } from '../support/bot-server.js';

const SECRET = 'a-long-shared-secret-for-tests';
const FAKE_SIGNATURE = `sha256=${'0'.repeat(64)}`;
const seed = [{ type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2025-12-01' }];
const timestamp = () => String(Math.floor(NOW / 1000));

let bot: BotHarness | undefined;
const open: ClientRequest[] = [];
afterEach(async () => {
  for (const req of open.splice(0)) req.destroy();
  await discard(bot);
  bot = undefined;
});

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

const read = (res: IncomingMessage) =>
  new Promise<Answer>((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    res.on('error', reject);
  });

/**
 * A batch that announces `length` bytes and sends only `sent` of them. `headersRead` resolves when the
 * server has taken the request in (its 100 Continue: restify sends it, then runs the route at once);
 * `answer` when the server answers, if it does.
 */
function slowBatch(h: BotHarness, from: string, length: number, sent: string) {
  const req = request(`${h.url}/api/events`, {
    method: 'POST',
    localAddress: from,
    headers: { 'content-type': 'application/json', 'content-length': String(length), expect: '100-continue', 'x-timestamp': timestamp(), 'x-signature-256': FAKE_SIGNATURE },
  });
  open.push(req);
  // The server may close the connection on a refusal while this side still writes.
  req.on('error', () => undefined);
  const headersRead = new Promise<void>((resolve) => req.once('continue', () => resolve()));
  const state = { answered: false };
  const answer = new Promise<Answer>((resolve) =>
    req.once('response', (res) => {
      state.answered = true;
      resolve(read(res));
    }),
  );
  void headersRead.then(() => req.write(sent));
  req.flushHeaders();
  return { req, headersRead, answer, state };
}

function signedBatch(h: BotHarness, from: string, records: unknown[]): Promise<Answer> {
  const body = JSON.stringify({ records });
  return new Promise((resolve, reject) => {
    const req = request(`${h.url}/api/events`, {
      method: 'POST',
      localAddress: from,
      headers: { 'content-type': 'application/json', 'x-timestamp': timestamp(), 'x-signature-256': sign(SECRET, timestamp(), body) },
    }, (res) => resolve(read(res)));
    req.on('error', reject);
    req.end(body);
  });
}

const credit = (id: string) => ({ type: 'credit', id, member: 'aad-ann', action: 'qa.answer', at: '2026-11-20T10:00:00Z' });

describe('reading slots per client address', () => {
  it('answers a signed batch from another address with 200 while one address holds all the slots it can', async () => {
    // A pace nobody fails and a long deadline: the held bodies stay held for the whole test.
    bot = await startBot({ seed, env: { EVENTS_SECRET: SECRET }, eventsReadDeadlineMs: 600_000, eventsReadPace: { graceMs: 600_000, minBytesPerSecond: 1 } });
    const h = bot;
    // More than the server-wide cap, all from one address, each with a fake but well-formed signature.
    const held = Array.from({ length: MAX_READING + 4 }, () => slowBatch(h, '127.0.0.2', 1000, '{"records": ['));
    await Promise.all(held.map((b) => b.headersRead));

    const answer = await signedBatch(h, '127.0.0.3', [credit('ev-1')]);
    expect(answer.status).toBe(200);
    expect(h.store.state.entry('ev-1')).toMatchObject({ memberId: 'aad-ann', points: 25 });

    // The address kept its share and was refused the rest at once, with a reason, told when to retry,
    // and its connections closed.
    const refused = await Promise.all(held.slice(MAX_READING_PER_SOURCE).map((b) => b.answer));
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.headers.connection).toBe('close');
      expect(String(r.body.error)).toContain(`At most ${MAX_READING_PER_SOURCE} batches from one address`);
    }
    expect(held.slice(0, MAX_READING_PER_SOURCE).map((b) => b.state.answered)).toEqual(Array(MAX_READING_PER_SOURCE).fill(false));
  });

  it('gives an address its slots back when its bodies are answered', async () => {
    bot = await startBot({ seed, env: { EVENTS_SECRET: SECRET }, eventsReadPace: { graceMs: 50, minBytesPerSecond: 1024 } });
    const h = bot;
    const slow = Array.from({ length: MAX_READING_PER_SOURCE }, () => slowBatch(h, '127.0.0.2', 1000, '{'));
    expect((await Promise.all(slow.map((b) => b.answer))).map((a) => a.status)).toEqual(Array(MAX_READING_PER_SOURCE).fill(408));
    expect((await signedBatch(h, '127.0.0.2', [credit('ev-1')])).status).toBe(200);
  });
});

describe('a body that arrives too slowly', () => {
  it('is cut with 408 once the grace period is over, and its connection closed', async () => {
    bot = await startBot({ seed, env: { EVENTS_SECRET: SECRET }, eventsReadPace: { graceMs: 50, minBytesPerSecond: 1024 } });
    const trickle = slowBatch(bot, '127.0.0.2', 10_000, '{"records": [');
    const closed = new Promise<void>((resolve) => trickle.req.once('close', () => resolve()));
    const answer = await trickle.answer;
    expect(answer.status).toBe(408);
    expect(answer.headers.connection).toBe('close');
    expect(answer.body).toEqual({ error: 'The batch arrives too slowly: send at least 1 KiB/s.' });
    await closed;
    expect(bot.store.state.ledger.size).toBe(0);
  });
});

describe('the client of a request', () => {
  it.each([
    ['127.0.0.2', '127.0.0.2'],
    ['::ffff:127.0.0.2', '127.0.0.2'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8:0000:0002:aaaa::1', '2001:db8:0:2::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('%s is counted as %s', (address, source) => {
    expect(sourceOf(address)).toBe(source);
  });
});
