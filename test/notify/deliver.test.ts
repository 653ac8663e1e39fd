// The window of sends in flight: a send never starts while SENDS_IN_FLIGHT others wait for their
// verdict to be recorded, and a retry waiting out its backoff does not hold a place.
import { describe, expect, it } from 'vitest';
import { deliverAll, SENDS_IN_FLIGHT, type DeliverOptions } from '../../src/notify/deliver.js';
import { SendError } from '../../src/notify/transport.js';
import { virtualClock } from '../support/notify.js';

const options = (clock = virtualClock(0)): DeliverOptions => ({
  rate: 1000, maxAttempts: 3, inFlight: SENDS_IN_FLIGHT, backoffMs: 100, maxBackoffMs: 1000, maxWaitMs: 60_000, sendTimeoutMs: 30_000, ...clock,
});

/** Resolves on a later turn of the event loop, as an answer from the network or the disk does. */
const later = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('delivering many items', () => {
  it('keeps at most SENDS_IN_FLIGHT between the start of a send and the end of its record, and fills that window', async () => {
    let unrecorded = 0;
    let most = 0;
    const recorded: number[] = [];
    await deliverAll(
      Array.from({ length: 100 }, (_, i) => i),
      async () => {
        unrecorded += 1;
        most = Math.max(most, unrecorded);
        await later();
      },
      async (item, verdict) => {
        // The record takes several turns, as a group commit waiting for its fsync does.
        for (let i = 0; i < 5; i += 1) await later();
        expect(verdict).toEqual({ kind: 'sent', attempts: 1 });
        recorded.push(item);
        unrecorded -= 1;
      },
      options(),
    );
    expect(most).toBe(SENDS_IN_FLIGHT);
    expect(recorded).toHaveLength(100);
  });

  it('lets other items through while throttled ones wait for their retry', async () => {
    const tries = new Map<number, number>();
    const order: number[] = [];
    const items = Array.from({ length: SENDS_IN_FLIGHT + 4 }, (_, i) => i);
    const last = items.at(-1)!;
    // The throttled items wait until the last item went out: were their places held while they
    // wait, that item could never start and the test would not finish.
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const clock = virtualClock(0);
    const RETRY_AFTER = 60_000;
    await deliverAll(
      items,
      async (item) => {
        const n = (tries.get(item) ?? 0) + 1;
        tries.set(item, n);
        order.push(item);
        if (item === last) open();
        await later();
        if (item < SENDS_IN_FLIGHT && n === 1) throw new SendError(429, 'throttled', String(RETRY_AFTER / 1000));
      },
      async () => {},
      { ...options(clock), sleep: (ms) => (ms === RETRY_AFTER ? gate : clock.sleep(ms)) },
    );
    expect(order.slice(0, SENDS_IN_FLIGHT + 4)).toEqual(items);
    expect(order.slice(SENDS_IN_FLIGHT + 4).sort((a, b) => a - b)).toEqual(items.slice(0, SENDS_IN_FLIGHT));
  });

  it.each([
    ['seconds', '2', 2000],
    ['an HTTP date, from the clock given', 'Mon, 23 Nov 2026 12:00:45 GMT', 45_000],
    ['an HTTP date already past', 'Mon, 23 Nov 2026 11:59:00 GMT', 0],
    ['neither: the backoff instead', 'soon', 100],
  ])('waits out a 429 by its Retry-After given as %s', async (_what, retryAfter, expected) => {
    const clock = virtualClock(Date.parse('2026-11-23T12:00:00Z'));
    let tries = 0;
    const verdicts: unknown[] = [];
    await deliverAll(
      [1],
      async () => {
        tries += 1;
        if (tries === 1) throw new SendError(429, 'throttled', retryAfter);
      },
      async (_item, verdict) => void verdicts.push(verdict),
      { ...options(clock), random: () => 1 },
    );
    // The first send goes at once (an idle pace): the first wait is the retry's.
    expect(clock.waits[0]).toBe(expected);
    expect(verdicts).toEqual([{ kind: 'sent', attempts: 2 }]);
  });
});
