// `import --server` against a stub bot on loopback that checks the signature and answers as scripted:
// batches of 1,000 in file order, retries honouring Retry-After, refusals with the bot's sentence, a
// wrong secret, an unreachable or wrong address, and the store held by another process.
import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { sendFile, target, type SendDeps } from '../../src/cli/remote-import.js';
import { noProgress } from '../../src/cli/progress.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../../src/events/signature.js';
import { folderHashes, scratchDb } from '../store/files.js';
import { jsonl } from '../support/cli.js';
import { startUntilReady, stopAll } from '../support/ready.js';
import { childTmp } from '../support/temp.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const SECRET = 'the-bot-events-secret-for-tests';

const member = (n: number) => ({ type: 'member', id: `m${n}`, email: `m${n}@example.com`, name: `Member ${n}`, signedUpAt: '2025-01-15' });
const credit = (n: number, m: number) => ({ type: 'credit', id: `c${n}`, member: `m${m}`, action: 'qa.answer', at: '2025-06-01T10:00:00Z' });
/** `members` members, then `credits` credits spread over them. */
const records = (members: number, credits: number) => [
  ...Array.from({ length: members }, (_, i) => member(i + 1)),
  ...Array.from({ length: credits }, (_, i) => credit(i + 1, (i % members) + 1)),
];

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang up';

interface Stub {
  url: string;
  /** The bodies received, in order, and whether each one's signature held. */
  received: { body: string; signed: boolean }[];
  close(): Promise<void>;
}

const servers: Server[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  await stopAll(children);
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Answers what the bot would for a valid batch: its records counted by type, as new. */
function applied(body: string): Reply {
  const { records: sent } = JSON.parse(body) as { records: { type: string }[] };
  const count = (type: string) => sent.filter((r) => r.type === type).length;
  return { status: 200, body: { records: sent.length, new: { member: count('member'), credit: count('credit') }, known: { member: 0, credit: 0 }, entries: count('credit'), points: 25 * count('credit') } };
}

/** A bot stand-in: `script(n, body)` answers the n-th request (from 1); unsigned requests get 401 as from the bot. */
async function stub(script: (n: number, body: string) => Reply = (_n, body) => applied(body)): Promise<Stub> {
  const received: Stub['received'] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const signed = verify(SECRET, body, req.headers[SIGNATURE_HEADER] as string, req.headers[TIMESTAMP_HEADER] as string, Date.now()).ok;
    received.push({ body: body.toString(), signed });
    const reply: Reply = signed ? script(received.length, body.toString()) : { status: 401, body: { error: 'Not authenticated: the signature does not match the body and timestamp.' } };
    if (reply === 'hang up') return void req.socket.destroy();
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.body ?? {}));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function cli(args: string[], env: NodeJS.ProcessEnv = { EVENTS_SECRET: SECRET }) {
  let out = '';
  let err = '';
  let progress = '';
  const code = await run(args, env, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), progress: { isTTY: false, write: (t) => void (progress += t) } }, NOW);
  return { code, out, err, progress };
}

/** A store holding one member (the check needs a store to check against) and a file of `lines` beside it. */
async function storeAndFile(lines: unknown[]): Promise<{ db: string; file: string }> {
  const db = scratchDb('import-server-');
  const seeded = await cli(['--db', db, 'import', jsonl(db, 'seed.jsonl', [member(0)])], {});
  expect(seeded.code).toBe(0);
  return { db, file: jsonl(db, 'file.jsonl', lines) };
}

const recordsOf = (body: string) => (JSON.parse(body) as { records: { id: string }[] }).records.map((r) => r.id);

describe('import --server', () => {
  it('sends the checked file in signed batches of at most 1,000, in file order, and prints the counts summed', async () => {
    const bot = await stub();
    const lines = records(500, 2000);
    const { db, file } = await storeAndFile(lines);
    const result = await cli(['--db', db, 'import', file, '--server', bot.url]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(bot.received.map((r) => r.signed)).toEqual([true, true, true]);
    expect(bot.received.map((r) => recordsOf(r.body).length)).toEqual([1000, 1000, 500]);
    expect(bot.received.flatMap((r) => recordsOf(r.body))).toEqual(lines.map((r) => r.id));
    expect(JSON.parse(result.out)).toEqual({
      file,
      server: bot.url,
      batches: 3,
      records: 2500,
      new: { member: 500, credit: 2000, reversal: 0, partner: 0, 'partner-activity': 0 },
      known: { member: 0, credit: 0, reversal: 0, partner: 0, 'partner-activity': 0 },
      entries: 2000,
      points: 50_000,
    });
    expect(result.progress).toContain('import: checking 100% 2,500/2,500 records');
    expect(result.progress.trim().split('\n').at(-1)).toMatch(/^import: sending 100% 2,500\/2,500 records/);
  });

  it('sends a file again with other batch bodies, so the bot counts the records afresh rather than answering from its cache', async () => {
    const bot = await stub();
    const { db, file } = await storeAndFile(records(10, 20));
    expect((await cli(['--db', db, 'import', file, '--server', bot.url])).code).toBe(0);
    expect((await cli(['--db', db, 'import', file, '--server', bot.url])).code).toBe(0);
    const [first, second] = bot.received.map((r) => r.body);
    expect(recordsOf(second!)).toEqual(recordsOf(first!));
    expect(second).not.toBe(first);
  });

  it.each([
    [429, 'Too many batches: try again in 1 s.'],
    [503, 'The store is not available; nothing was applied. Retry later.'],
  ])('waits for Retry-After on %i and sends the same bytes again', async (status, error) => {
    const bot = await stub((n, body) => (n === 2 ? { status, body: { error }, headers: { 'Retry-After': '1' } } : applied(body)));
    const { db, file } = await storeAndFile(records(100, 1400));
    const result = await cli(['--db', db, 'import', file, '--server', bot.url]);
    expect(result.code).toBe(0);
    expect(result.err).toBe(`Batch 2 (lines 1001–1500) not taken yet (${status}: ${error}); sending it again in 1 s.\n`);
    expect(bot.received).toHaveLength(3);
    expect(bot.received[2]!.body).toBe(bot.received[1]!.body);
    expect(JSON.parse(result.out)).toMatchObject({ batches: 2, records: 1500, new: { member: 100, credit: 1400 } });
  });

  it("stops at a refused batch with the bot's sentence, naming its problems by file line, and says what was applied", async () => {
    const problems = [{ index: 3, message: 'no member with id or email "m7"' }];
    const bot = await stub((n, body) => (n === 2 ? { status: 422, body: { error: 'Nothing was applied: 1 record(s) need fixing.', problems } } : applied(body)));
    // A blank line 2: the file's line numbers are not the records' positions.
    const lines = records(100, 1400);
    const { db, file } = await storeAndFile([lines[0], '', ...lines.slice(1)]);
    const result = await cli(['--db', db, 'import', file, '--server', bot.url]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toBe(
      [
        `The bot at ${bot.url} refused batch 2 (lines 1002–1501) with 422: Nothing was applied: 1 record(s) need fixing.`,
        'line 1005: no member with id or email "m7"',
        '1,000 of 1,500 records were applied (batches 1–1). Running the same command again is safe: what was applied is counted as known.',
        '',
      ].join('\n'),
    );
    expect(bot.received).toHaveLength(2);
  });

  it('stops at the first batch when the bot refuses the signature, and says nothing was applied', async () => {
    const bot = await stub();
    const { db, file } = await storeAndFile(records(3, 3));
    const result = await cli(['--db', db, 'import', file, '--server', bot.url], { EVENTS_SECRET: 'another-secret-of-16-chars' });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`refused batch 1 (lines 1–6) with 401: Not authenticated: the signature does not match the body and timestamp.`);
    expect(result.err).toContain('Is EVENTS_SECRET the one the bot was started with');
    expect(result.err).toContain('Nothing was applied.');
    expect(bot.received).toHaveLength(1);
  });

  it('says so when nothing answers at the address, and sends nothing', async () => {
    const bot = await stub();
    await bot.close();
    const { db, file } = await storeAndFile(records(3, 3));
    const result = await cli(['--db', db, 'import', file, '--server', bot.url]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(new RegExp(`^Cannot reach the bot at ${bot.url} \\(.*ECONNREFUSED.*\\): is it running, and is that its address\\? Nothing was sent\\.$`, 'm'));
  });

  it.each([
    [['--server', 'ftp://points.example.com'], { EVENTS_SECRET: SECRET }, '--server must be the bot\'s http or https address, such as https://points.example.com; not "ftp://points.example.com". Nothing was sent.'],
    [['--server', 'points.example.com'], { EVENTS_SECRET: SECRET }, '--server must be the bot\'s http or https address'],
    [['--server', 'URL'], {}, 'Sending to the bot needs EVENTS_SECRET in the environment'],
    [['--server', 'URL', '--max-wait', 'soon'], { EVENTS_SECRET: SECRET }, '--max-wait must be whole seconds from 0 to 3600, not "soon".'],
  ])('refuses %j with a sentence and sends nothing', async (options, env, sentence) => {
    const bot = await stub();
    const { db, file } = await storeAndFile(records(3, 3));
    const result = await cli(['--db', db, 'import', file, ...options.map((o) => (o === 'URL' ? bot.url : o))], env);
    expect(result.code).toBe(1);
    expect(result.err).toContain(sentence);
    expect(bot.received).toEqual([]);
  });

  it('refuses a file with a bad line before sending anything, naming the line', async () => {
    const bot = await stub();
    const { db, file } = await storeAndFile([...records(3, 3), credit(99, 42)]);
    const before = folderHashes(dirname(db));
    const result = await cli(['--db', db, 'import', file, '--server', bot.url]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^line 7: .*no member with id or email "m42"/m);
    expect(bot.received).toEqual([]);
    expect(folderHashes(dirname(db))).toEqual(before);
  });

  it('needs the store to check the file against', async () => {
    const bot = await stub();
    const { db, file } = await storeAndFile(records(3, 3));
    const result = await cli(['--db', `${db}.missing`, 'import', file, '--server', bot.url]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`There is no store at ${db}.missing to check the file against`);
    expect(bot.received).toEqual([]);
  });
});

describe('import while another process holds the store', () => {
  async function held(lines: unknown[]) {
    const stored = await storeAndFile(lines);
    await startUntilReady([process.execPath, '--import', 'tsx', 'test/store/hold-store.ts', stored.db], childTmp(), /holding (\d+)/, children);
    return stored;
  }

  it('sends the file to the bot at BOT_URL, saying so', async () => {
    const bot = await stub();
    const { db, file } = await held(records(3, 3));
    const result = await cli(['--db', db, 'import', file], { EVENTS_SECRET: SECRET, BOT_URL: bot.url });
    expect(result.code).toBe(0);
    expect(result.err).toBe(`The store is held by another process; sending the file to the bot at ${bot.url} (BOT_URL) instead.\n`);
    expect(bot.received).toHaveLength(1);
    expect(JSON.parse(result.out)).toMatchObject({ batches: 1, records: 6 });
  });

  it('without BOT_URL, says how to import beside the running bot', async () => {
    const { db, file } = await held(records(3, 3));
    const result = await cli(['--db', db, 'import', file], { EVENTS_SECRET: SECRET });
    expect(result.code).toBe(1);
    expect(result.err).toContain('is already open for writing by process');
    expect(result.err).toContain('To import beside a running bot instead, give its address with --server URL (or BOT_URL) and set EVENTS_SECRET.');
  });

  it('names BOT_URL when it is not an address', async () => {
    const { db, file } = await held(records(3, 3));
    const result = await cli(['--db', db, 'import', file], { EVENTS_SECRET: SECRET, BOT_URL: 'points' });
    expect(result.code).toBe(1);
    expect(result.err).toContain('BOT_URL must be the bot\'s http or https address');
  });
});

describe('a local import (no bot)', () => {
  it('shows the progress of its check, then of applying the file, as plain lines when stderr is no terminal', async () => {
    const { db, file } = await storeAndFile(records(10, 90));
    const result = await cli(['--db', db, 'import', file]);
    expect(result.code).toBe(0);
    const lines = result.progress.trim().split('\n').map((line) => line.replace(/ [\d,]+ records\/s$/, ''));
    const tenths = (label: string) => Array.from({ length: 10 }, (_, i) => `${label} ${(i + 1) * 10}% ${(i + 1) * 10}/100 records`);
    expect(lines).toEqual([...tenths('import: checking'), ...tenths('import: applying')]);
  });
});

describe('sending, on a virtual clock', () => {
  function deps(maxWaitMs: number) {
    const waits: number[] = [];
    const said: string[] = [];
    let now = Date.now();
    const sending: SendDeps = {
      now: () => now,
      sleep: async (ms) => void (waits.push(ms), (now += ms)),
      maxWaitMs,
      bar: noProgress,
      say: (text) => void said.push(text),
    };
    return { waits, said, sending };
  }
  const file = (lines: unknown[]) => Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n'));
  const to = (url: string) => {
    const found = target(url, '--server', SECRET);
    if (!found.ok) throw new Error(found.message);
    return found.target;
  };

  it('gives up once the next Retry-After would pass the bound, saying how much was applied and that re-running is safe', async () => {
    const bot = await stub((n, body) => (n === 1 ? applied(body) : { status: 503, body: { error: 'busy' }, headers: { 'Retry-After': '30' } }));
    const { waits, said, sending } = deps(100_000);
    expect(await sendFile(file(records(100, 1400)), to(bot.url), sending)).toBeNull();
    expect(waits).toEqual([30_000, 30_000, 30_000]);
    expect(said.at(-1)).toBe(
      `Gave up on batch 2 (lines 1001–1500) after waiting 90 s for the bot at ${bot.url} (last: 503: busy); --max-wait is 100 s. 1,000 of 1,500 records were applied (batches 1–1). Running the same command again is safe: what was applied is counted as known.`,
    );
  });

  it('sends a batch whose answer was lost again after a growing pause, and says it may have been applied when it gives up', async () => {
    const bot = await stub(() => 'hang up');
    const { waits, said, sending } = deps(5_000);
    expect(await sendFile(file(records(2, 2)), to(bot.url), sending)).toBeNull();
    expect(waits).toEqual([1000, 2000]);
    expect(bot.received).toHaveLength(3);
    expect(said.at(-1)).toMatch(/^Gave up on batch 1 \(lines 1–4\) after waiting 3 s .*Nothing was applied for certain\. Batch 1 may have been applied too: its answer was lost\.$/);
  });

  it('takes an answer that arrives after a lost one', async () => {
    const bot = await stub((n, body) => (n === 1 ? 'hang up' : applied(body)));
    const { waits, sending } = deps(5_000);
    expect(await sendFile(file(records(2, 2)), to(bot.url), sending)).toMatchObject({ batches: 1, records: 4, new: { member: 2, credit: 2 } });
    expect(waits).toEqual([1000]);
    expect(bot.received[1]!.body).toBe(bot.received[0]!.body);
  });
});
