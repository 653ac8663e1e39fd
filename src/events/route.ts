// The restify side of POST /api/events: the raw body (the signature covers its exact bytes), its size
// cap and content type, then the handler. Without a secret the route does not exist (404).
import type { Logger } from 'pino';
import type restify from 'restify';
import type { Catalog } from '../core/catalog.js';
import type { Store } from '../store/store.js';
import { AnswerCache, handleEvents } from './events-api.js';
import { RateLimiter } from './rate-limit.js';

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
}

class TooLarge extends Error {}

async function readBody(req: restify.Request, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function addEventsRoute(server: restify.Server, deps: EventsRouteDeps): void {
  const { secret } = deps.settings;
  if (!secret) return;
  const limiter = new RateLimiter(deps.settings.rate, deps.settings.burst);
  const cache = new AnswerCache();
  server.post(EVENTS_PATH, async (req, res) => {
    const type = req.header('content-type') ?? '';
    if (!/^application\/json\b/i.test(type)) {
      res.send(415, { error: 'Send the batch as application/json.' });
      return;
    }
    if (Number(req.header('content-length') ?? 0) > MAX_EVENTS_BYTES) {
      res.header('Connection', 'close');
      res.send(413, { error: `A batch is at most ${MAX_EVENTS_BYTES / 1024 / 1024} MiB.` });
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, MAX_EVENTS_BYTES);
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
      res.header('Connection', 'close');
      res.send(413, { error: `A batch is at most ${MAX_EVENTS_BYTES / 1024 / 1024} MiB.` });
      return;
    }
    const answer = await handleEvents({ ...deps, secret, limiter }, cache, { body, headers: req.headers, source: req.socket.remoteAddress ?? 'unknown' });
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.header(name, value);
    if (answer.status >= 400) deps.log.warn({ status: answer.status, error: answer.body.error, source: req.socket.remoteAddress }, 'events batch refused');
    res.send(answer.status, answer.body);
  });
}
