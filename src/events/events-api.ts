// POST /api/events: the community platform pushes the same records as the CLI import, signed with a
// shared secret. Same semantics as the import: validated, idempotent by id, all or nothing per batch.
// Free of restify: the server hands over the raw body, the headers and who is calling.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Catalog } from '../core/catalog.js';
import { isObject } from '../core/json.js';
import { importRecordsWith, type BatchSummary } from '../services/import-records.js';
import { StoreFailedError, type PointsStore } from '../store/contract.js';
import { earlierAnswer, keepAnswer, type KeptAnswer } from './answers.js';
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
 * Batches being applied in this process, by the digest of their body: an identical batch arriving
 * meanwhile waits for the same answer instead of queueing a transaction of its own.
 */
export type InFlight = Map<string, Promise<EventsAnswer>>;

function summaryBody(summary: BatchSummary): KeptAnswer['body'] {
  return { records: summary.records, new: summary.new, known: summary.known, entries: summary.entries, points: summary.points };
}

export async function handleEvents(deps: EventsDeps, inFlight: InFlight, request: EventsRequest): Promise<EventsAnswer> {
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

  const digest = createHash('sha256').update(request.body).digest('hex');
  const pending = inFlight.get(digest);
  if (pending) return pending;
  const applying = apply(deps, records, digest, now);
  inFlight.set(digest, applying);
  try {
    return await applying;
  } finally {
    inFlight.delete(digest);
  }
}

/**
 * Applies the batch and keeps its answer in one transaction, unless the store already holds the
 * answer to the same body (applied through any instance): then that answer, and nothing is written.
 * A refused batch (422) applied nothing and keeps no answer.
 */
async function apply(deps: EventsDeps, records: unknown[], digest: string, now: number): Promise<EventsAnswer> {
  try {
    const result = await importRecordsWith(deps.store, deps.catalog, records.map((value, index) => ({ index, value })), { source: 'api', by: 'api' }, now, {
      before: (view) => earlierAnswer(view, digest, now),
      after: (tx, summary) => {
        const answer = { status: 200, body: summaryBody(summary) };
        keepAnswer(tx, digest, answer, now);
        return answer;
      },
    });
    if (!result.ok) {
      return refuse(422, `Nothing was applied: ${result.problems.length} record(s) need fixing.`, {
        problems: result.problems.map((p) => ({ index: p.index, message: p.message })),
      });
    }
    return result.value;
  } catch (error) {
    if (error instanceof StoreFailedError) {
      deps.log.error({ err: error }, 'events batch not applied: the store failed');
      return { ...refuse(503, 'The store is not available; nothing was applied. Retry later.'), headers: { 'Retry-After': '30' } };
    }
    throw error;
  }
}
