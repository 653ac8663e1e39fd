// POST /api/events: the community platform pushes the same records as the CLI import, signed with a
// shared secret. Same semantics as the import: validated, idempotent by id, all or nothing per batch.
// Free of restify: the server hands over the raw body, the headers and who is calling.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Catalog } from '../core/catalog.js';
import { isObject } from '../core/json.js';
import { importRecords, type BatchSummary } from '../services/import-records.js';
import { StoreFailedError, type PointsStore } from '../store/contract.js';
import type { RateLimiter } from './rate-limit.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from './signature.js';

export const MAX_RECORDS = 1000;

export interface EventsDeps {
  store: PointsStore;
  catalog: Catalog;
  secret: string;
  limiter: RateLimiter;
  now: () => number;
  log: Logger;
}

export interface EventsRequest {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** Who is calling, for the rate limit (the client's address). */
  source: string;
}

export interface EventsAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const header = (headers: EventsRequest['headers'], name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const refuse = (status: number, error: string, extra: Record<string, unknown> = {}): EventsAnswer => ({ status, body: { error, ...extra } });

/**
 * The answers to batches already applied, by the digest of their body: a retried batch gets the same
 * answer it got the first time. Kept in memory for a day (at most 10,000); after a restart a retry is
 * still a no-op, its records then counted as known.
 */
export class AnswerCache {
  private readonly answers = new Map<string, { at: number; answer: EventsAnswer }>();
  /** Batches being applied: an identical batch arriving meanwhile waits for the same answer. */
  readonly inFlight = new Map<string, Promise<EventsAnswer>>();
  constructor(
    private readonly limit = 10_000,
    private readonly ttlMs = 24 * 3_600_000,
  ) {}

  get(key: string, now: number): EventsAnswer | undefined {
    const hit = this.answers.get(key);
    if (!hit || now - hit.at > this.ttlMs) return undefined;
    return hit.answer;
  }

  /** Keeps the first answer: a later one for the same body would count its records as known. */
  set(key: string, answer: EventsAnswer, now: number): void {
    if (this.get(key, now)) return;
    if (this.answers.size >= this.limit) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(key, { at: now, answer });
  }
}

function summaryBody(summary: BatchSummary): Record<string, unknown> {
  return { records: summary.records, new: summary.new, known: summary.known, entries: summary.entries, points: summary.points };
}

export async function handleEvents(deps: EventsDeps, cache: AnswerCache, request: EventsRequest): Promise<EventsAnswer> {
  const now = deps.now();
  const verified = verify(deps.secret, request.body, header(request.headers, SIGNATURE_HEADER), header(request.headers, TIMESTAMP_HEADER), now);
  if (!verified.ok) return refuse(401, `Not authenticated: ${verified.reason}.`);
  const wait = deps.limiter.take(request.source, now);
  if (wait > 0) {
    return { ...refuse(429, `Too many batches: try again in ${Math.ceil(wait / 1000)} s.`), headers: { 'Retry-After': String(Math.ceil(wait / 1000)) } };
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch (error) {
    return refuse(400, `The body is not JSON: ${(error as Error).message}`);
  }
  const records = isObject(parsed) ? parsed.records : undefined;
  if (!Array.isArray(records)) return refuse(400, 'The body must be a JSON object {"records": [...]}.');
  if (records.length === 0) return refuse(400, 'The batch has no records.');
  if (records.length > MAX_RECORDS) return refuse(413, `A batch holds at most ${MAX_RECORDS.toLocaleString('en-US')} records; this one has ${records.length.toLocaleString('en-US')}. Send it in parts.`);

  const key = createHash('sha256').update(request.body).digest('hex');
  const earlier = cache.get(key, now) ?? (await cache.inFlight.get(key));
  if (earlier) return earlier;
  const applying = apply(deps, records, now);
  cache.inFlight.set(key, applying);
  try {
    const answer = await applying;
    if (answer.status === 200) cache.set(key, answer, now);
    return answer;
  } finally {
    cache.inFlight.delete(key);
  }
}

async function apply(deps: EventsDeps, records: unknown[], now: number): Promise<EventsAnswer> {
  try {
    const result = await importRecords(deps.store, deps.catalog, records.map((value, index) => ({ index, value })), { source: 'api', by: 'api' }, now);
    if (!result.ok) {
      return refuse(422, `Nothing was applied: ${result.problems.length} record(s) need fixing.`, {
        problems: result.problems.map((p) => ({ index: p.index, message: p.message })),
      });
    }
    return { status: 200, body: summaryBody(result.summary) };
  } catch (error) {
    if (error instanceof StoreFailedError) {
      deps.log.error({ err: error }, 'events batch not applied: the store failed');
      return { ...refuse(503, 'The store is not available; nothing was applied. Retry later.'), headers: { 'Retry-After': '30' } };
    }
    throw error;
  }
}
