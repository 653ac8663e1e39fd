// A member's ledger entries in time order with each instant parsed once. The store keeps one per
// member (State.entriesOf), so a status or a list of the latest entries costs no Date.parse and no
// sort per request; any other list of entries is put in order where it comes in. Pure.
import type { LedgerEntry } from './ledger.js';

/** Entries ascending by time, same-instant entries in the order they were written. */
export interface Timeline extends ReadonlyArray<LedgerEntry> {
  /** times[i] is this[i].at in epoch milliseconds. */
  readonly times: readonly number[];
}

const isTimeline = (entries: readonly LedgerEntry[]): entries is Timeline => Array.isArray((entries as Partial<Timeline>).times);

/**
 * Makes a list of entries a timeline, given their instants (the caller keeps both in order). The
 * instants are a hidden property: the list still compares, copies and serialises as a plain array.
 */
export function withTimes<T extends LedgerEntry[] | readonly LedgerEntry[], N extends number[] | readonly number[]>(entries: T, times: N): T & { times: N } {
  return Object.defineProperty(entries, 'times', { value: times, enumerable: false }) as T & { times: N };
}

/** The entries as a timeline: themselves when they are one already, else sorted (stably) and parsed. */
export function timelineOf(entries: readonly LedgerEntry[]): Timeline {
  if (isTimeline(entries)) return entries;
  const times = entries.map((e) => Date.parse(e.at));
  const order = entries.map((_e, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
  return withTimes(
    order.map((i) => entries[i]!),
    order.map((i) => times[i]!),
  );
}

/** The first index whose time is after `at` (times.length when none is). */
export function indexAfter(times: readonly number[], at: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[mid]! <= at) low = mid + 1;
    else high = mid;
  }
  return high;
}

/**
 * A member's entries at or before `at` (and at or after `from`, when given), newest first, at most
 * `limit` of them: what a status card, a history page or a membership year lists. Of one instant,
 * the entry written last comes first: the timeline read backwards.
 */
export function entriesUpTo(entries: readonly LedgerEntry[], at: number, limit = Infinity, from = -Infinity): LedgerEntry[] {
  const line = timelineOf(entries);
  const { times } = line;
  const out: LedgerEntry[] = [];
  for (let i = indexAfter(times, at) - 1; i >= 0 && out.length < limit && times[i]! >= from; i -= 1) out.push(line[i]!);
  return out;
}
