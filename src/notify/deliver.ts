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
        await send(item);
        return settle(item, { kind: 'sent', attempts });
      } catch (thrown) {
        error = thrown instanceof SendError ? thrown : new SendError(0, String(thrown));
      }
      if (UNREACHABLE.has(error.status)) return settle(item, { kind: 'unreachable', attempts, status: error.status, reason: error.message });
      // No answer at all (connection refused or reset) is as passing as a 503.
      const retryable = RETRYABLE.has(error.status) || error.status === 0;
      if (!retryable || attempts >= options.maxAttempts) return settle(item, { kind: 'failed', attempts, status: error.status, reason: error.message });
      const wait = error.status === 429 && error.retryAfterMs !== undefined ? error.retryAfterMs : backoff(attempts, options);
      if (wait > options.maxWaitMs) return settle(item, { kind: 'deferred', attempts, reason: `asked to wait ${Math.round(wait / 1000)} s: ${error.message}` });
      await options.sleep(wait, options.signal);
    }
  };
  await Promise.all(items.map(one));
}
