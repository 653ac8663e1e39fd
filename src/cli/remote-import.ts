// `import FILE --server URL`: a file checked here sent to a running bot's POST /api/events, because
// the bot holds the store's lock. Batches go one at a time, in file order: each is applied all or
// nothing by the bot, and the file as a whole is made safe by idempotence (records are known by id),
// so a run that stops part-way is finished by running it again.
import { randomUUID } from 'node:crypto';
import { MAX_RECORDS } from '../events/events-api.js';
import { EVENTS_PATH, MAX_EVENTS_BYTES } from '../events/route.js';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../events/signature.js';
import { jsonLines, RECORD_TYPES, type BatchItem, type RecordType } from '../services/import-records.js';
import type { Progress } from './progress.js';

/** Where to send and how to sign; built by `target` from what the operator gave. */
export interface Target {
  endpoint: URL;
  secret: string;
}

/** The bot's address (from `name`, a flag or BOT_URL) and the secret, or the sentence saying what is wrong. */
export function target(address: string, name: string, secret: string | undefined): { ok: true; target: Target } | { ok: false; message: string } {
  let url: URL | undefined;
  try {
    url = new URL(address.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return { ok: false, message: `${name} must be the bot's http or https address, such as https://points.example.com; not "${address}". Nothing was sent.` };
  }
  if (!secret) {
    return {
      ok: false,
      message: 'Sending to the bot needs EVENTS_SECRET in the environment, the secret the bot\'s events API checks (it is never taken from a flag). Nothing was sent.',
    };
  }
  // The bot's base address is what an operator knows; its events path is added unless already there.
  const endpoint = new URL(url.href);
  if (!endpoint.pathname.endsWith(EVENTS_PATH)) endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}${EVENTS_PATH}`;
  return { ok: true, target: { endpoint, secret } };
}

/** The records of a JSON Lines file: its non-blank lines, counted without parsing them. */
export function recordCount(text: Buffer): number {
  let count = 0;
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf(10, start);
    const end = newline === -1 ? text.length : newline;
    if (text.toString('utf8', start, end).trim() !== '') count += 1;
    start = end + 1;
  }
  return count;
}

/** The items, passed on as they are, reporting each one taken: progress over a lazy pass such as a check. */
export function* counted(items: Iterable<BatchItem>, bar: Progress): Generator<BatchItem> {
  let done = 0;
  for (const item of items) {
    yield item;
    done += 1;
    bar.update(done);
  }
  bar.end();
}

interface Batch {
  number: number;
  /** The file line of each record, in order: a refusal's index names a line. */
  lines: number[];
  body: string;
}

// The envelope around the records: {"records":[…],"batch":"<uuid>:<n>"}.
const ENVELOPE_BYTES = 128;

/**
 * Batches of at most MAX_RECORDS records and MAX_EVENTS_BYTES bytes, in file order. Each body names its
 * run and number: a retry sends the same bytes, so the bot answers it from its cache, while a new
 * run's bodies differ and get counts of their own (the bot ignores fields besides "records").
 */
function* batches(text: Buffer, run: string): Generator<Batch | { tooLarge: number }> {
  let lines: number[] = [];
  let parts: string[] = [];
  let bytes = ENVELOPE_BYTES;
  let number = 0;
  const cut = (): Batch => {
    number += 1;
    const batch = { number, lines, body: `{"records":[${parts.join(',')}],"batch":"${run}:${number}"}` };
    lines = [];
    parts = [];
    bytes = ENVELOPE_BYTES;
    return batch;
  };
  for (const { index, value } of jsonLines(text)) {
    const part = JSON.stringify(value);
    const size = Buffer.byteLength(part) + 1;
    if (ENVELOPE_BYTES + size > MAX_EVENTS_BYTES) {
      yield { tooLarge: index };
      return;
    }
    if (parts.length === MAX_RECORDS || bytes + size > MAX_EVENTS_BYTES) yield cut();
    lines.push(index);
    parts.push(part);
    bytes += size;
  }
  if (parts.length > 0) yield cut();
}

export interface Sums {
  batches: number;
  records: number;
  new: Record<RecordType, number>;
  known: Record<RecordType, number>;
  entries: number;
  points: number;
}

const zero = (): Record<RecordType, number> => Object.fromEntries(RECORD_TYPES.map((type) => [type, 0])) as Record<RecordType, number>;

function add(sums: Sums, body: Record<string, unknown>): void {
  sums.batches += 1;
  sums.records += Number(body.records) || 0;
  sums.entries += Number(body.entries) || 0;
  sums.points += Number(body.points) || 0;
  for (const kind of ['new', 'known'] as const) {
    const counts = body[kind] as Record<string, unknown> | undefined;
    for (const type of RECORD_TYPES) sums[kind][type] += Number(counts?.[type]) || 0;
  }
}

export interface SendDeps {
  /** ms; signs each request with the instant it is sent (the bot refuses timestamps 5 minutes off). */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The longest the bot may keep one batch waiting, over all its retries, before the run gives up. */
  maxWaitMs: number;
  /** One request's answer must arrive within this (the bot reads a body within 30 s). */
  requestTimeoutMs?: number;
  bar: Progress;
  /** A sentence for the operator (stderr). */
  say: (text: string) => void;
}

type Answer = { kind: 'answer'; status: number; body: Record<string, unknown>; retryAfterMs: number | null } | { kind: 'failed'; code: string; reason: string };

/** Connection errors meaning the request never reached a server: nothing can have been applied. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Answers that mean "later": the bot was busy, rate-limited, or a proxy in front of it was. */
const RETRYABLE = new Set([408, 429, 502, 503, 504]);
const MAX_BACKOFF_MS = 30_000;

/** Retry-After as seconds or an HTTP date (RFC 9110); null when absent or unreadable. */
function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

async function post(target: Target, body: string, deps: SendDeps): Promise<Answer> {
  const now = deps.now();
  const timestamp = String(Math.floor(now / 1000));
  try {
    const response = await fetch(target.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: sign(target.secret, timestamp, body) },
      body,
      signal: AbortSignal.timeout(deps.requestTimeoutMs ?? 60_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const answer = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { error: `HTTP ${response.status} ${response.statusText}`.trim() };
    return { kind: 'answer', status: response.status, body: answer, retryAfterMs: retryAfterMs(response.headers.get('retry-after'), now) };
  } catch (error) {
    const err = error as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError') return { kind: 'failed', code: 'TIMEOUT', reason: `no answer within ${(deps.requestTimeoutMs ?? 60_000) / 1000} s` };
    const code = err.cause?.code ?? 'FAILED';
    return { kind: 'failed', code, reason: err.cause?.message ?? err.message };
  }
}

const count = (n: number) => n.toLocaleString('en-US');
const linesOf = (batch: Batch) => `lines ${batch.lines[0]}–${batch.lines.at(-1)}`;

/**
 * Sends the file (already checked) to the bot. Returns the sums over the batches, or null when the run
 * stopped; the operator was then told why, how much was applied, and that running it again is safe.
 */
export async function sendFile(text: Buffer, to: Target, deps: SendDeps): Promise<Sums | null> {
  const { say, bar } = deps;
  const total = recordCount(text);
  const sums: Sums = { batches: 0, records: 0, new: zero(), known: zero(), entries: 0, points: 0 };
  const where = to.endpoint.origin;
  // The bar's line is closed before a sentence, so the sentence starts a line of its own.
  const tell = (sentence: string) => {
    bar.end();
    say(sentence);
  };
  /** The current batch went out and its answer was lost (a reset, a timeout): it may have been applied. */
  let lost = false;
  const applied = () => {
    const maybe = lost ? ` Batch ${sums.batches + 1} may have been applied too: its answer was lost.` : '';
    if (sums.batches === 0) return `Nothing was applied${lost ? ' for certain' : ''}.${maybe}`;
    return `${count(sums.records)} of ${count(total)} records were applied (batches 1–${sums.batches}).${maybe} Running the same command again is safe: what was applied is counted as known.`;
  };
  let answered = false;
  for (const batch of batches(text, randomUUID())) {
    if ('tooLarge' in batch) {
      tell(`line ${batch.tooLarge}: the record is larger than the ${MAX_EVENTS_BYTES / 1024 / 1024} MiB a batch may hold, so it cannot be sent to the bot. ${applied()}`);
      return null;
    }
    let waited = 0;
    lost = false;
    for (let attempt = 0; ; attempt += 1) {
      const answer = await post(to, batch.body, deps);
      if (answer.kind === 'answer') answered = true;
      else if (!NOT_DELIVERED.has(answer.code)) lost = true;
      if (answer.kind === 'answer' && answer.status === 200) {
        add(sums, answer.body);
        bar.update(sums.records);
        break;
      }
      if (answer.kind === 'failed' && !answered && NOT_DELIVERED.has(answer.code)) {
        tell(`Cannot reach the bot at ${where} (${answer.reason}): is it running, and is that its address? Nothing was sent.`);
        return null;
      }
      if (answer.kind === 'answer' && !RETRYABLE.has(answer.status)) {
        tell(refusal(batch, answer.status, answer.body, where));
        tell(applied());
        return null;
      }
      const why = answer.kind === 'answer' ? `${answer.status}: ${String(answer.body.error ?? '')}`.trim() : answer.reason;
      const wait = (answer.kind === 'answer' ? answer.retryAfterMs : null) ?? Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt);
      if (waited + wait > deps.maxWaitMs) {
        tell(
          `Gave up on batch ${batch.number} (${linesOf(batch)}) after waiting ${Math.round(waited / 1000)} s for the bot at ${where} (last: ${why}); --max-wait is ${deps.maxWaitMs / 1000} s. ${applied()}`,
        );
        return null;
      }
      tell(`Batch ${batch.number} (${linesOf(batch)}) not taken yet (${why}); sending it again in ${Math.ceil(wait / 1000)} s.`);
      await deps.sleep(wait);
      waited += wait;
    }
  }
  bar.end();
  return sums;
}

function refusal(batch: Batch, status: number, body: Record<string, unknown>, where: string): string {
  const error = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
  const said = [`The bot at ${where} refused batch ${batch.number} (${linesOf(batch)}) with ${status}: ${error}`];
  if (status === 401) said.push('Is EVENTS_SECRET the one the bot was started with, and this machine\'s clock right?');
  if (status === 404) said.push('Is that the bot\'s address, and was the bot started with EVENTS_SECRET (without it there is no events API)?');
  // A batch's problems name its records from 0; the operator knows them by line.
  const problems = Array.isArray(body.problems) ? (body.problems as { index?: unknown; message?: unknown }[]) : [];
  for (const problem of problems) {
    const line = typeof problem.index === 'number' ? batch.lines[problem.index] : undefined;
    said.push(`line ${line ?? '?'}: ${String(problem.message)}`);
  }
  return said.join('\n');
}
