// Delivery rules: a pace limit shared by every send, retries for throttling and passing errors with
// exponential backoff and jitter, and a verdict per item. One failing item never stops the others.
import { SendError } from './transport.js';

export interface DeliverOptions {
  /** Sends per second, retries included. */
  rate: number;
  /** Tries per item. */
  maxAttempts: number;
  /** First backoff; doubled on each retry, with jitter. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this leaves the item for the next pass. */
  maxWaitMs: number;
  /** A send without an answer by then counts as no answer. */
  sendTimeoutMs: number;
  now: () => number;
  /** Waits; resolves early when the signal aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  /** Once aborted, items not yet tried stay for the next pass; sends already under way finish. */
  signal?: AbortSignal;
}

export type Verdict =
  | { kind: 'sent'; attempts: number }
  /** Blocked by the user, app disabled (403) or conversation gone (404). */
  | { kind: 'unreachable'; attempts: number; status: number; reason: string }
  | { kind: 'failed'; attempts: number; status: number; reason: string }
  /** Not settled in this pass (stopping, or asked to wait too long): stays pending. */
  | { kind: 'deferred'; attempts: number; reason: string };

/** Statuses worth another try: throttled (429), precondition race (412), gateway trouble (502-504). */
const RETRYABLE = new Set([412, 429, 502, 503, 504]);
const UNREACHABLE = new Set([403, 404]);

/** Thrown by a send that decided not to make a request: the item stays for a later pass. */
export class NotSent extends Error {}

export const realClock = {
  now: Date.now,
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
  random: Math.random,
};

/** Hands out send slots at a fixed pace, first come first served. */
class Pace {
  private next = 0;
  constructor(
    private readonly intervalMs: number,
    private readonly options: DeliverOptions,
  ) {}

  async take(): Promise<void> {
    const now = this.options.now();
    const slot = Math.max(now, this.next);
    this.next = slot + this.intervalMs;
    if (slot > now) await this.options.sleep(slot - now, this.options.signal);
  }
}

function withTimeout(sending: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendError(0, `no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([sending, late]).finally(() => clearTimeout(timer));
}

function backoff(attempt: number, options: DeliverOptions): number {
  const base = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** (attempt - 1));
  // Equal jitter: half fixed, half random, so retries from one burst spread out.
  return Math.round(base / 2 + (options.random() * base) / 2);
}

/**
 * Sends every item and reports each verdict through `settle` (awaited, so a verdict is recorded
 * before the pass ends). Items start in order at the pace limit; a retry waits, then queues again.
 */
export async function deliverAll<T>(
  items: readonly T[],
  send: (item: T) => Promise<void>,
  settle: (item: T, verdict: Verdict) => Promise<void>,
  options: DeliverOptions,
): Promise<void> {
  const pace = new Pace(1000 / options.rate, options);
  const one = async (item: T): Promise<void> => {
    let attempts = 0;
    for (;;) {
      await pace.take();
      if (options.signal?.aborted) return settle(item, { kind: 'deferred', attempts, reason: 'the pass was stopped' });
      attempts += 1;
      let error: SendError;
      try {
        await withTimeout(send(item), options.sendTimeoutMs);
        return settle(item, { kind: 'sent', attempts });
      } catch (thrown) {
        if (thrown instanceof NotSent) return settle(item, { kind: 'deferred', attempts: attempts - 1, reason: thrown.message });
        // Not from the service (a card that cannot be built): trying again would not help.
        if (!(thrown instanceof SendError)) return settle(item, { kind: 'failed', attempts, status: 0, reason: String(thrown) });
        error = thrown;
      }
      if (UNREACHABLE.has(error.status)) return settle(item, { kind: 'unreachable', attempts, status: error.status, reason: error.message });
      // No answer (refused, reset, timed out): the message may or may not have arrived. The next pass
      // tries again, a quarter of an hour later, rather than a burst of retries now.
      if (error.status === 0) return settle(item, { kind: 'deferred', attempts, reason: error.message });
      if (!RETRYABLE.has(error.status) || attempts >= options.maxAttempts) return settle(item, { kind: 'failed', attempts, status: error.status, reason: error.message });
      const wait = error.status === 429 && error.retryAfterMs !== undefined ? error.retryAfterMs : backoff(attempts, options);
      if (wait > options.maxWaitMs) return settle(item, { kind: 'deferred', attempts, reason: `asked to wait ${Math.round(wait / 1000)} s: ${error.message}` });
      await options.sleep(wait, options.signal);
    }
  };
  await Promise.all(items.map(one));
}
