// The restify side of POST /api/events: the raw body (the signature covers its exact bytes), its size
// cap and content type, then the handler. Without a secret the route does not exist (404).
import type { Logger } from 'pino';
import type restify from 'restify';
import type { Catalog } from '../core/catalog.js';
import type { Store } from '../store/store.js';
import { AnswerCache, handleEvents } from './events-api.js';
import { RateLimiter } from './rate-limit.js';
import { checkHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';

export const EVENTS_PATH = '/api/events';
/** About 1,000 records with notes; a batch over it is refused before it is read. */
export const MAX_EVENTS_BYTES = 2 * 1024 * 1024;

export interface EventsSettings {
  /** The shared secret; none: the endpoint is off. */
  secret: string | undefined;
  /** Batches per second per source, sustained. */
  rate: number;
  /** Batches a source may send at once. */
  burst: number;
}

export interface EventsRouteDeps {
  store: Store;
  catalog: Catalog;
  settings: EventsSettings;
  now: () => number;
  log: Logger;
  /** Default READ_DEADLINE_MS; shorter in tests. */
  readDeadlineMs?: number;
}

/** Bodies read at once: with the 2 MiB cap, at most 64 MiB held by requests not yet authenticated. */
export const MAX_READING = 32;
/** A body must arrive within this; a client that stalls gets 408 instead of holding the request. */
export const READ_DEADLINE_MS = 30_000;

class TooLarge extends Error {}
class TooSlow extends Error {}

function readBody(req: restify.Request, limit: number, deadlineMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => finish(new TooSlow()), deadlineMs);
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', finish);
      if (error) {
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(new TooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', finish);
  });
}

export function addEventsRoute(server: restify.Server, deps: EventsRouteDeps): void {
  const { secret } = deps.settings;
  if (!secret) return;
  const limiter = new RateLimiter(deps.settings.rate, deps.settings.burst);
  const cache = new AnswerCache();
  let reading = 0;
  const tooLarge = (res: restify.Response) => {
    res.header('Connection', 'close');
    res.send(413, { error: `A batch is at most ${MAX_EVENTS_BYTES / 1024 / 1024} MiB.` });
  };
  server.post(EVENTS_PATH, async (req, res) => {
    const type = req.header('content-type') ?? '';
    if (!/^application\/json\b/i.test(type)) {
      res.send(415, { error: 'Send the batch as application/json.' });
      return;
    }
    // Everything that needs no body is checked before reading one: an unsigned or stale request
    // costs no memory.
    const headers = checkHeaders(req.header(SIGNATURE_HEADER), req.header(TIMESTAMP_HEADER), deps.now());
    if (!headers.ok) {
      res.header('Connection', 'close');
      res.send(401, { error: `Not authenticated: ${headers.reason}.` });
      return;
    }
    if (Number(req.header('content-length') ?? 0) > MAX_EVENTS_BYTES) return tooLarge(res);
    if (reading >= MAX_READING) {
      res.header('Retry-After', '1');
      res.send(503, { error: 'Too many batches are being received; try again in a second.' });
      return;
    }
    let body: Buffer;
    reading += 1;
    try {
      body = await readBody(req, MAX_EVENTS_BYTES, deps.readDeadlineMs ?? READ_DEADLINE_MS);
    } catch (error) {
      if (error instanceof TooLarge) return tooLarge(res);
      if (error instanceof TooSlow) {
        res.header('Connection', 'close');
        res.send(408, { error: `The batch did not arrive within ${(deps.readDeadlineMs ?? READ_DEADLINE_MS) / 1000} s.` });
        return;
      }
      throw error;
    } finally {
      reading -= 1;
    }
    const answer = await handleEvents({ ...deps, secret, limiter }, cache, { body, headers: req.headers, source: req.socket.remoteAddress ?? 'unknown' });
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.header(name, value);
    if (answer.status >= 400) deps.log.warn({ status: answer.status, error: answer.body.error, source: req.socket.remoteAddress }, 'events batch refused');
    res.send(answer.status, answer.body);
  });
}
