// The restify side of POST /api/events: the raw body (the signature covers its exact bytes), its size
// cap and content type, then the handler. Without a secret the route does not exist (404).
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type restify from 'restify';
import type { EventsSettings } from '../config.js';
import type { Catalog } from '../core/catalog.js';
import type { PointsStore } from '../store/contract.js';
import { handleEvents, type EventsAnswer, type InFlight } from './events-api.js';
import { RateLimiter } from './rate-limit.js';
import { checkHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';

export const EVENTS_PATH = '/api/events';
/** About 1,000 records with notes; a batch over it is refused before it is read. */
export const MAX_EVENTS_BYTES = 2 * 1024 * 1024;

export interface EventsRouteDeps {
  store: PointsStore;
  catalog: Catalog;
  settings: EventsSettings;
  now: () => number;
  log: Logger;
  reading?: EventsReading;
}

/** Bodies read at once: with the 2 MiB cap, at most 64 MiB held by requests not yet authenticated. */
export const MAX_READING = 32;
/**
 * Bodies read at once from one client (an IPv4 address, an IPv6 /64): the signature can only be checked
 * once the body is read, so without this anyone could take every slot with well-formed fake signatures.
 */
export const MAX_READING_PER_SOURCE = 4;
/** A body must arrive within this; a client that stalls gets 408 instead of holding the request. */
export const READ_DEADLINE_MS = 30_000;

/** How fast a body must arrive, on average from its first byte, once the grace period is over. */
export interface ReadPace {
  graceMs: number;
  minBytesPerSecond: number;
}
/** A slow body is cut after 2 s, not 30: holding a slot costs a sender 16 KiB/s of real upload. */
export const READ_PACE: ReadPace = { graceMs: 2000, minBytesPerSecond: 16 * 1024 };

class TooLarge extends Error {}
class TooSlow extends Error {}
/** The client went away before its body arrived: there is nobody to answer. */
class Gone extends Error {}

function readBody(req: restify.Request, limit: number, deadlineMs: number, pace: ReadPace): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Elapsed time on the monotonic clock: the injected clock of the tests does not move.
    const started = performance.now();
    const check = () => {
      const elapsed = performance.now() - started;
      if (elapsed >= deadlineMs) return finish(new TooSlow(`The batch did not arrive within ${deadlineMs / 1000} s.`));
      if (elapsed >= pace.graceMs && size < (pace.minBytesPerSecond * elapsed) / 1000) {
        return finish(new TooSlow(`The batch arrives too slowly: send at least ${pace.minBytesPerSecond / 1024} KiB/s.`));
      }
      // Look again when the average would fall under the pace if nothing more came, or at the deadline.
      const due = Math.min(deadlineMs, Math.max(pace.graceMs, (size / pace.minBytesPerSecond) * 1000));
      timer = setTimeout(check, Math.max(10, due - elapsed));
    };
    let timer = setTimeout(check, Math.min(deadlineMs, pace.graceMs));
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onGone);
      req.removeListener('close', onGone);
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
    const onGone = () => finish(new Gone());
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onGone);
    req.once('close', onGone);
  });
}

/** Who is calling, for the slots and the rate limit: the address, an IPv6 client by its /64 (one host's usual share). */
export function sourceOf(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export interface EventsReading {
  /** Default READ_DEADLINE_MS; shorter in tests. */
  deadlineMs?: number;
  /** Default READ_PACE; other values in tests. */
  pace?: ReadPace;
}

export function addEventsRoute(server: restify.Server, deps: EventsRouteDeps): void {
  const { secret } = deps.settings;
  if (!secret) return;
  const limiter = new RateLimiter(deps.settings.rate, deps.settings.burst);
  const inFlight: InFlight = new Map();
  const deadlineMs = deps.reading?.deadlineMs ?? READ_DEADLINE_MS;
  const pace = deps.reading?.pace ?? READ_PACE;
  let reading = 0;
  const readingBy = new Map<string, number>();

  /** Every refusal closes the connection: a body left unread must not stay on it, nor its sender. */
  const answer = (res: restify.Response, { status, body, headers }: EventsAnswer) => {
    for (const [name, value] of Object.entries(headers ?? {})) res.header(name, value);
    if (status >= 400) res.header('Connection', 'close');
    res.send(status, body);
  };
  const tooLarge: EventsAnswer = { status: 413, body: { error: `A batch is at most ${MAX_EVENTS_BYTES / 1024 / 1024} MiB.` } };
  const busy = (status: number, error: string): EventsAnswer => ({ status, body: { error }, headers: { 'Retry-After': '1' } });

  server.post(EVENTS_PATH, async (req, res) => {
    const type = req.header('content-type') ?? '';
    if (!/^application\/json\b/i.test(type)) return answer(res, { status: 415, body: { error: 'Send the batch as application/json.' } });
    // Everything that needs no body is checked before reading one: an unsigned or stale request
    // costs no memory.
    const headers = checkHeaders(req.header(SIGNATURE_HEADER), req.header(TIMESTAMP_HEADER), deps.now());
    if (!headers.ok) return answer(res, { status: 401, body: { error: `Not authenticated: ${headers.reason}.` } });
    if (Number(req.header('content-length') ?? 0) > MAX_EVENTS_BYTES) return answer(res, tooLarge);
    const source = sourceOf(req.socket.remoteAddress);
    const mine = readingBy.get(source) ?? 0;
    if (mine >= MAX_READING_PER_SOURCE) {
      return answer(res, busy(429, `At most ${MAX_READING_PER_SOURCE} batches from one address are received at once; send the next when one is answered.`));
    }
    if (reading >= MAX_READING) return answer(res, busy(503, 'Too many batches are being received; try again in a second.'));

    let body: Buffer;
    reading += 1;
    readingBy.set(source, mine + 1);
    try {
      body = await readBody(req, MAX_EVENTS_BYTES, deadlineMs, pace);
    } catch (error) {
      if (error instanceof TooLarge) return answer(res, tooLarge);
      if (error instanceof TooSlow) {
        deps.log.warn({ source, error: error.message }, 'events batch cut: too slow');
        return answer(res, { status: 408, body: { error: error.message } });
      }
      if (error instanceof Gone) return;
      throw error;
    } finally {
      reading -= 1;
      const left = (readingBy.get(source) ?? 1) - 1;
      if (left > 0) readingBy.set(source, left);
      else readingBy.delete(source);
    }
    const handled = await handleEvents({ ...deps, secret, limiter }, inFlight, { body, headers: req.headers, source });
    if (handled.status >= 400) deps.log.warn({ status: handled.status, error: handled.body.error, source }, 'events batch refused');
    answer(res, handled);
  });
}
