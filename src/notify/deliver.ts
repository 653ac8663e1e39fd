// Delivery rules: a pace limit shared by every send, retries for throttling and passing errors with
// exponential backoff and jitter, and a verdict per item. One failing item never stops the others.
import { parseRetryAfter, SendError } from './transport.js';

export interface DeliverOptions {
  /** Sends per second, retries included. */
  rate: number;
  /** Tries per item. */
  maxAttempts: number;
  /**
   * Items at most between the start of a send and the end of its settle: a send does not start
   * while this many others are unsettled, so the verdicts recorded never lag far behind the sends.
   */
  inFlight: number;
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

/**
 * Sends the service may have accepted whose verdict is not yet on disk, at most. This is what a crash
 * can repeat. At NOTIFY_RATE=50 it keeps the pace while a send and its record take up to 320 ms.
 */
export const SENDS_IN_FLIGHT = 16;

/** Statuses worth another try: throttled (429), precondition race (412), gateway trouble (502-504). */
const RETRYABLE = new Set([412, 429, 502, 503, 504]);
const UNREACHABLE = new Set([403, 404]);

/** Thrown by a send that decided not to make a request: the item stays for a later pass. */
export class NotSent extends Error {}

/** What delivery reads the time from and waits with. */
export type Clock = Pick<DeliverOptions, 'now' | 'sleep' | 'random'>;

/** The one the bot and the CLI run on; tests pass a virtual one. */
export const realClock: Clock = {
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

/** At most `size` holders at once; waiters are served in order. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
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
 * before the pass ends). Items start in order at the pace limit, at most `inFlight` of them between
 * the start of a send and the end of its settle; a retry gives up its place while it waits, then
 * queues again.
 */
export async function deliverAll<T>(
  items: readonly T[],
  send: (item: T) => Promise<void>,
  settle: (item: T, verdict: Verdict) => Promise<void>,
  options: DeliverOptions,
): Promise<void> {
  const pace = new Pace(1000 / options.rate, options);
  const slots = new Slots(options.inFlight);
  /** Try number `attempts`: its verdict, or the error worth another try. */
  const attempt = async (item: T, attempts: number): Promise<Verdict | { retry: SendError }> => {
    await pace.take();
    if (options.signal?.aborted) return { kind: 'deferred', attempts: attempts - 1, reason: 'the pass was stopped' };
    let error: SendError;
    try {
      await withTimeout(send(item), options.sendTimeoutMs);
      return { kind: 'sent', attempts };
    } catch (thrown) {
      if (thrown instanceof NotSent) return { kind: 'deferred', attempts: attempts - 1, reason: thrown.message };
      // Not from the service (a card that cannot be built): trying again would not help.
      if (!(thrown instanceof SendError)) return { kind: 'failed', attempts, status: 0, reason: String(thrown) };
      error = thrown;
    }
    if (UNREACHABLE.has(error.status)) return { kind: 'unreachable', attempts, status: error.status, reason: error.message };
    // No answer (refused, reset, timed out): the message may or may not have arrived. The next pass
    // tries again, a quarter of an hour later, rather than a burst of retries now.
    if (error.status === 0) return { kind: 'deferred', attempts, reason: error.message };
    if (!RETRYABLE.has(error.status) || attempts >= options.maxAttempts) return { kind: 'failed', attempts, status: error.status, reason: error.message };
    return { retry: error };
  };
  const one = async (item: T): Promise<void> => {
    for (let attempts = 1; ; attempts += 1) {
      await slots.take();
      let outcome: Verdict | { retry: SendError };
      try {
        outcome = await attempt(item, attempts);
        // The place is given back only once the verdict is recorded: that bounds what a crash can
        // leave sent but not marked.
        if ('kind' in outcome) return await settle(item, outcome);
      } finally {
        slots.give();
      }
      const error = outcome.retry;
      const asked = error.status === 429 ? parseRetryAfter(error.retryAfter, options.now()) : undefined;
      const wait = asked ?? backoff(attempts, options);
      if (wait > options.maxWaitMs) return settle(item, { kind: 'deferred', attempts, reason: `asked to wait ${Math.round(wait / 1000)} s: ${error.message}` });
      await options.sleep(wait, options.signal);
    }
  };
  await Promise.all(items.map(one));
}
