// More than a thousand generated hostile requests against the real bot process in local mode: bad
// encodings, bodies, types and identities, forged card actions, unsigned and replayed event batches.
// Afterwards the process still runs and answers, every refusal on a JSON route was JSON, nothing a
// refused request sent changed members, ledger or claims, and the store opens again.
//
// The requests come from a seeded generator: FUZZ_SEED=<n> replays a run; a failure names its seed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog-file.js';
import { readConfig } from '../../src/config.js';
import { importRecords } from '../../src/services/import-records.js';
import { readStore, Store } from '../../src/store/store.js';
import { StubConnector } from '../support/connector.js';
import { stopped } from '../support/ready.js';
import { childTmp, tempDb } from '../support/temp.js';

const REQUESTS = 1200;
const CONCURRENCY = 8;
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const SECRET = 'fuzz-events-secret-0123456789abcdef';
const NOW = Date.now();

const ann = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const admin = { id: '29:ada', aadObjectId: 'aad-admin', name: 'Ada Admin' };
const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' },
  { type: 'member', id: 'aad-admin', email: 'ada@example.com', name: 'Ada Admin', signedUpAt: '2024-01-01' },
  { type: 'credit', id: 'c1', member: 'aad-ann', action: 'cert.configurator', at: '2026-06-12T08:00:00Z' },
  { type: 'credit', id: 'c2', member: 'aad-ann', action: 'qa.answer', at: '2026-11-20T08:00:00Z' },
];

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function generator(seedValue: number) {
  let a = seedValue >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof generator>;

interface Attempt {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const HOSTILE_VALUES: unknown[] = [
  null, 0, -1, 5, 1e308, true, false, '', ' ', 'x'.repeat(5000), [], [1, 'a'], {}, { nested: { deeper: {} } },
  '<script>alert(1)</script>', '\u0000\u0001', '${7*7}', '__proto__', { __proto__: { isAdmin: true } }, 'msteams:COPILOT',
  'https://evil.example.com', 'file:///etc/passwd', '../../etc/passwd', '🎉'.repeat(50), '\ud800', '=1+1',
];

const FIELD_PATHS = [
  'type', 'id', 'channelId', 'serviceUrl', 'from', 'from.id', 'from.aadObjectId', 'from.name', 'recipient', 'recipient.id',
  'recipient.name', 'conversation', 'conversation.id', 'conversation.conversationType', 'conversation.tenantId', 'channelData',
  'channelData.tenant', 'channelData.tenant.id', 'locale', 'text', 'value', 'name', 'timestamp', 'replyToId', 'entities',
  'attachments', 'membersAdded', 'membersRemoved', 'action',
];

const TEXTS = [
  'points', '/points', 'history', 'history 999999', 'levels', 'earn', 'earn qa', 'claim', 'attendance', 'leaderboard', 'leaderboard year',
  'leaderboard optout', 'partner', 'partner p-1', 'notifications off', 'notifications on', 'help', 'review', 'award ann@example.com qa.answer',
  'award aad-ann docs.add-info 99999 forged', 'revoke c1 because', 'revoke c2 x', 'member ann@example.com', '<at>DevOps Points</at> award aad-ann qa.ask',
  '', '   ', '\u202e', 'x'.repeat(2000), 'join\u0000', 'points '.repeat(300),
];

const VERBS: unknown[] = ['claim.submit', 'attendance.submit', 'claim.approve', 'claim.reject', 'review.open', 'drop.tables', '', 5, null, '__proto__', 'constructor'];

/** Identities the fuzz may use on a channel: on Teams only strangers, so nothing it sends is an accepted member's or administrator's act. */
function identity(rng: Rng, teams: boolean): Record<string, unknown> {
  const stranger = { id: `29:stranger-${rng.int(20)}`, aadObjectId: `aad-stranger-${rng.int(20)}`, name: 'Mallory' };
  if (teams) return stranger;
  return rng.pick([stranger, admin, ann, { id: 'aad-admin', name: 'Ada Admin' }, { id: 'aad-ann' }]);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function json(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body));
}

function post(kind: string, path: string, body: Buffer, headers: Record<string, string> = {}): Attempt {
  return { kind, method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body };
}

function activityFor(rng: Rng, serviceUrl: string, claimId: string): Record<string, unknown> {
  // Non-Teams channels may name anyone; 'msteams' only strangers.
  const channelId = rng.chance(0.5) ? 'msteams' : rng.pick(['webchat', 'directline', 'emulator', 'slack', 'MSTEAMS', 'msteams ', 'test']);
  const teams = channelId === 'msteams';
  const base: Record<string, unknown> = {
    type: 'message',
    id: `fuzz-${rng.int(1_000_000)}`,
    channelId,
    serviceUrl,
    timestamp: new Date(NOW).toISOString(),
    from: identity(rng, teams),
    recipient: { id: '28:bot', name: 'DevOps Points' },
    conversation: { id: `conv-${rng.int(50)}`, conversationType: rng.pick(['personal', 'personal', 'groupChat', 'channel']), tenantId: 'tenant-1' },
    channelData: { tenant: { id: 'tenant-1' } },
    text: rng.pick(TEXTS),
  };
  const shape = rng.int(6);
  if (shape === 1) {
    // A card action (Universal Actions), with data naming the pending claim or forged roles.
    delete base.text;
    base.type = 'invoke';
    base.name = 'adaptiveCard/action';
    const data: Record<string, unknown> = rng.pick([
      { claimId, points: rng.pick(['45', '-5', '1e9', 'NaN', 45]) },
      { claimId, reason: rng.pick(['no', '', 'x'.repeat(5000)]), isAdmin: true, userId: 'aad-admin' },
      { cardId: `card-${rng.int(100)}`, action: rng.pick(['docs.typo', 'qa.ask', 'nope', 5]), date: rng.pick(['2026-11-20', '2027-01-01', 'yesterday', 0]), evidence: 'https://example.com' },
      { cardId: rng.pick(HOSTILE_VALUES), dates: rng.pick(HOSTILE_VALUES), submittedBy: 'aad-ann' },
    ]);
    base.value = { action: { type: 'Action.Execute', verb: rng.pick(VERBS), data }, trigger: 'manual' };
  } else if (shape === 2) {
    // An Action.Submit fallback: the card data arrives as the message value.
    base.value = rng.pick([{ verb: rng.pick(VERBS), claimId, points: '50' }, 'claim.submit', ['x'], 42, { verb: 'claim.approve', claimId }]);
  } else if (shape === 3) {
    base.type = rng.pick(['conversationUpdate', 'installationUpdate', 'messageReaction', 'typing', 'endOfConversation', 'event', 'invoke']);
    if (base.type === 'installationUpdate') base.action = rng.pick(['add', 'remove', 'add-upgrade', 5]);
    if (base.type === 'conversationUpdate') base.membersAdded = rng.pick([[{ id: '28:bot' }], [{ id: 5 }], 'all', null]);
  }
  // Then one to three fields turned hostile or removed.
  for (let i = rng.int(4); i > 0; i -= 1) setPath(base, rng.pick(FIELD_PATHS), rng.chance(0.2) ? undefined : rng.pick(HOSTILE_VALUES));
  // Keep the identity rule: whatever the mutation did, a Teams activity never names a member or an administrator.
  if (base.channelId === 'msteams') {
    const from = base.from as Record<string, unknown> | undefined;
    if (from && typeof from === 'object' && ['aad-ann', 'aad-admin', '29:ann', '29:ada'].some((id) => from.id === id || from.aadObjectId === id)) base.from = identity(rng, true);
  }
  return base;
}

function signed(body: Buffer, timestamp: number, secret = SECRET): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return { 'x-timestamp': String(timestamp), 'x-signature': `sha256=${signature}` };
}

/** Event batches that are refused by construction: unsigned, wrongly signed, stale, or signed with records that cannot be credited. */
function eventsAttempt(rng: Rng, replays: Attempt[]): Attempt {
  const now = Math.floor(NOW / 1000);
  const badRecords = rng.pick<unknown>([
    [{ type: 'credit', id: `e-${rng.int(1000)}`, member: 'nobody@example.com', action: 'qa.answer', at: '2026-11-20T08:00:00Z' }],
    [{ type: 'credit', id: 5, member: 'aad-ann', action: 'qa.answer' }],
    [{ type: 'reversal', id: `r-${rng.int(1000)}`, entry: 'does-not-exist', reason: 'x', at: '2026-11-20T08:00:00Z' }],
    [{ type: 'member', id: '', email: 'not an email', name: 5, signedUpAt: 'soon' }],
    { records: rng.pick(HOSTILE_VALUES) },
    rng.pick(HOSTILE_VALUES),
  ]);
  const body = rng.chance(0.2) ? Buffer.from(rng.pick(['{"records":[', 'null', '\u0000', ''])) : json(Array.isArray(badRecords) ? { records: badRecords } : badRecords);
  const way = rng.int(7);
  if (way === 0 && replays.length > 0) {
    // A captured batch sent again with a new timestamp and its old signature.
    const old = rng.pick(replays);
    return { ...old, kind: 'events replay', headers: { ...old.headers, 'x-timestamp': String(now + 1) } };
  }
  const headers =
    way === 1 ? {}
      : way === 2 ? signed(body, now, 'not-the-secret')
        : way === 3 ? signed(body, now - 3600)
          : way === 4 ? { 'x-timestamp': String(now), 'x-signature': `sha256=${'0'.repeat(64)}` }
            : way === 5 ? { ...signed(body, now), 'x-signature': rng.pick(['sha256=', 'md5=abc', 'sha256=zz', '']) }
              : signed(body, now);
  const attempt = post(`events ${way}`, '/api/events', body, headers);
  if (way === 6) replays.push(attempt);
  return attempt;
}

/** Headers and bodies that no route should accept: encodings, types, sizes, broken JSON, other methods. */
function rawAttempt(rng: Rng, serviceUrl: string, claimId: string): Attempt {
  const path = rng.pick(['/api/messages', '/api/messages', '/healthz', '/api/events', '/api/me/summary', '/api/dev/sign-in', '/api/tab/settings', '/api/nothing', '/api/messages/../healthz', '/%00', '/api/messages?x=1']);
  const valid = json(activityFor(rng, serviceUrl, claimId));
  switch (rng.int(9)) {
    case 0:
      return post('gzip garbage', path, Buffer.from('x'), { 'content-encoding': rng.pick(['gzip', 'GZIP', 'deflate', 'br', 'x-gzip', 'gzip, identity', 'compress']) });
    case 1:
      // A small body that inflates to about 10 MB: a decoder must never see it.
      return post('gzip bomb', path, gzipSync(Buffer.alloc(10 << 20, 0x20)), { 'content-encoding': rng.pick(['gzip', 'deflate']) });
    case 2:
      return post('gzip of a valid activity', path, gzipSync(valid), { 'content-encoding': 'gzip' });
    case 3:
      return post('content type', path, valid, { 'content-type': rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', '', 'application/jsonp']) });
    case 4:
      return post('broken json', path, Buffer.from(rng.pick(['{', '{"type":"message",', '[]', '"text"', '123', 'null', '{"a":1}{"b":2}', '\ufeff{}', '{"__proto__":{"x":1}}', '['.repeat(5000) + ']'.repeat(5000)])));
    case 5:
      return post('too large', path, Buffer.from(JSON.stringify({ ...JSON.parse(valid.toString()), text: 'x'.repeat(rng.pick([300 << 10, 3 << 20])) })));
    case 6:
      return { kind: 'method', method: rng.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']), path, headers: { 'content-type': 'application/json' }, body: valid };
    case 7:
      return { kind: 'bearer', method: 'GET', path: '/api/me/summary', headers: { authorization: rng.pick(['Bearer', 'Bearer x.y.z', 'Bearer eyJhbGciOiJub25lIn0.eyJvaWQiOiJhYWQtYW5uIn0.', 'Basic YTpi', `Bearer ${'a'.repeat(9000)}`, 'Bearer \u00ff']) }, body: Buffer.alloc(0) };
    default:
      return post('dev sign-in', '/api/dev/sign-in', json(rng.pick<unknown>([{ member: rng.pick(HOSTILE_VALUES) }, rng.pick(HOSTILE_VALUES), { member: 'aad-ann', extra: 'x'.repeat(100) }])));
  }
}

const hasBody = (attempt: Attempt) => attempt.method !== 'GET' && attempt.method !== 'HEAD';

function send(base: URL, attempt: Attempt): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, method: attempt.method, path: attempt.path, headers: { ...attempt.headers, ...(hasBody(attempt) && { 'content-length': String(attempt.body.length) }) }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    // A server that refuses early may close before the whole body is written: that is an answer too.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: -1, contentType: '', text: error.code }) : reject(error)));
    req.end(hasBody(attempt) ? attempt.body : undefined);
  });
}

/** A JSON route's answer: a refusal is a JSON object with a sentence; a success is empty or JSON. */
function problemWith(attempt: Attempt, answer: Answer): string | null {
  if (attempt.path.startsWith('/tab') || attempt.method === 'HEAD') return null;
  if (answer.status === -1) return attempt.body.length > 256 << 10 || attempt.headers['content-encoding'] ? null : `connection ${answer.text}`;
  // 501 is the Bot Framework's answer to an invoke the bot has no handler for (CloudAdapter's own, empty).
  if (answer.status === 501 && attempt.path.startsWith('/api/messages') && answer.text === '') return null;
  if (answer.status >= 500 && answer.status !== 503) return `status ${answer.status}`;
  if (answer.status < 400 && answer.text === '') return null;
  if (!/^application\/json/i.test(answer.contentType)) return `content-type "${answer.contentType}" for status ${answer.status}`;
  try {
    const body = JSON.parse(answer.text) as unknown;
    if (answer.status >= 400 && !(body && typeof body === 'object' && (typeof (body as { error?: unknown }).error === 'string' || typeof (body as { message?: unknown }).message === 'string'))) {
      return `a refusal without a sentence: ${answer.text.slice(0, 200)}`;
    }
  } catch {
    return `not JSON: ${answer.text.slice(0, 200)}`;
  }
  return null;
}

let child: ChildProcess | undefined;
let output = '';
let connector: StubConnector | undefined;
afterAll(async () => {
  if (child) await stopped(child);
  await connector?.stop();
});

function start(db: string): Promise<URL> {
  const env = { ...process.env, ...childTmp(), PORT: '0', LOG_LEVEL: 'warn', DB_FILE: db, ADMINS: 'aad-admin', EVENTS_SECRET: SECRET, EVENTS_RATE: '10000', EVENTS_BURST: '10000' };
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (ready) resolve(new URL(ready[1]!));
    });
    child!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child!.on('exit', (code, signal) => reject(new Error(`the bot exited (${code ?? signal}): ${output.slice(-3000)}`)));
  });
}

const recorded = (state: Awaited<ReturnType<typeof readStore>>) =>
  JSON.stringify({ members: [...state.members.values()], ledger: [...state.ledger.values()], claims: [...state.claims.values()] });

describe('hostile requests against the real process', () => {
  it(`answers ${REQUESTS} of them without a crash, a non-JSON refusal or a change, and the store opens again (seed ${SEED})`, async () => {
    connector = await new StubConnector().start();
    const db = tempDb('fuzz-');
    const catalog = loadCatalog(readConfig({}).rulesFile);
    const store = await Store.open(db, { command: 'fuzz seed' });
    const imported = await importRecords(store, catalog, seed.map((value, i) => ({ index: i + 1, value })), { source: 'import', by: 'test' }, NOW);
    expect(imported.ok).toBe(true);
    await store.close();

    const base = await start(db);
    // One pending claim, submitted by its member, for forged approvals to aim at.
    const submitted = await send(base, post('setup', '/api/messages', json({
      type: 'invoke', name: 'adaptiveCard/action', id: 'setup-1', channelId: 'msteams', serviceUrl: connector.url, from: ann,
      recipient: { id: '28:bot' }, conversation: { id: 'conv-ann', conversationType: 'personal' }, channelData: { tenant: { id: 'tenant-1' } },
      value: { action: { type: 'Action.Execute', verb: 'claim.submit', data: { cardId: 'fuzz-card', action: 'docs.typo', date: '2026-11-20' } }, trigger: 'manual' },
    })));
    expect(submitted.status).toBe(200);
    const before = await readStore(db);
    const claimId = [...before.claims.keys()][0]!;
    expect(before.claims.get(claimId)).toMatchObject({ status: 'pending', submittedBy: 'aad-ann' });
    const baseline = recorded(before);

    const rng = generator(SEED);
    const replays: Attempt[] = [];
    const sentMessages: Attempt[] = [];
    const attempts: Attempt[] = [];
    for (let i = 0; i < REQUESTS; i += 1) {
      const roll = rng.int(10);
      let attempt: Attempt;
      if (roll < 4) {
        attempt = post('activity', '/api/messages', json(activityFor(rng, connector.url, claimId)));
        sentMessages.push(attempt);
      } else if (roll < 5 && sentMessages.length > 0) attempt = { ...rng.pick(sentMessages), kind: 'activity replay' };
      else if (roll < 7) attempt = eventsAttempt(rng, replays);
      else attempt = rawAttempt(rng, connector.url, claimId);
      attempts.push(attempt);
    }

    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < attempts.length) {
        const attempt = attempts[next++]!;
        let answer: Answer;
        try {
          answer = await send(base, attempt);
        } catch (error) {
          problems.push(`${attempt.kind} ${attempt.method} ${attempt.path}: ${(error as Error).message}; the bot's last words: ${output.slice(-1500)}`);
          return;
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problem = problemWith(attempt, answer);
        if (problem) problems.push(`${attempt.kind} ${attempt.method} ${attempt.path}: ${problem}`);
      }
    }));

    expect(child!.exitCode, `the bot died during the run (seed ${SEED})`).toBeNull();
    expect(problems.slice(0, 20), `seed ${SEED}; answers by status: ${JSON.stringify([...statuses])}`).toEqual([]);
    expect(attempts.length).toBeGreaterThanOrEqual(1000);
    const health = await fetch(new URL('/healthz', base));
    expect(health.status).toBe(200);
    expect(recorded(await readStore(db)), `seed ${SEED}`).toBe(baseline);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    const reopened = await Store.open(db, { command: 'fuzz check' });
    try {
      expect(recorded(reopened.state)).toBe(baseline);
    } finally {
      await reopened.close();
    }
  }, 600_000);
});
