// A member's entries in time order (core/timeline.ts): what the store keeps per member, and the
// latest entries up to an instant, as a status card lists them.
import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/core/ledger.js';
import { entriesUpTo, indexAfter, timelineOf } from '../../src/core/timeline.js';

function entry(id: string, at: string): LedgerEntry {
  return { id, memberId: 'm', action: 'qa.answer', at, points: 25, inputs: {}, source: 'import', by: 'tester', edition: 'test' };
}
const ids = (entries: readonly LedgerEntry[]) => entries.map((e) => e.id);

/** Sorting a copy on every request: newest first, of one instant the entry written last first. */
function latestBySorting(entries: readonly LedgerEntry[], at: number, limit: number): LedgerEntry[] {
  return entries
    .map((entry, order) => ({ entry, order, at: Date.parse(entry.at) }))
    .filter((e) => e.at <= at)
    .sort((a, b) => b.at - a.at || b.order - a.order)
    .slice(0, limit)
    .map((e) => e.entry);
}

/** A deterministic pseudo-random sequence. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

describe('timelineOf', () => {
  it('orders by instant, same-instant entries in the order given, and parses each instant once', () => {
    const line = timelineOf([
      entry('c', '2026-03-01T10:00:00Z'),
      entry('a', '2026-01-01T10:00:00.000Z'),
      entry('b1', '2026-02-01T10:00:00Z'),
      entry('b2', '2026-02-01T10:00:00.000Z'),
      entry('b3', '2026-02-01T09:00:00-01:00'),
    ]);
    expect(ids(line)).toEqual(['a', 'b1', 'b2', 'b3', 'c']);
    expect(line.times).toEqual([Date.parse('2026-01-01T10:00:00Z'), ...Array(3).fill(Date.parse('2026-02-01T10:00:00Z')), Date.parse('2026-03-01T10:00:00Z')]);
  });

  it('gives a timeline back as it is', () => {
    const line = timelineOf([entry('b', '2026-02-01T10:00:00Z'), entry('a', '2026-01-01T10:00:00Z')]);
    expect(timelineOf(line)).toBe(line);
  });
});

describe('indexAfter', () => {
  it.each([
    [[], 5, 0],
    [[1, 2, 2, 3], 0, 0],
    [[1, 2, 2, 3], 2, 3],
    [[1, 2, 2, 3], 2.5, 3],
    [[1, 2, 2, 3], 3, 4],
  ])('in %j, the first after %d is at %d', (times, at, index) => {
    expect(indexAfter(times, at)).toBe(index);
  });
});

describe('entriesUpTo', () => {
  const entries = [
    entry('jan', '2026-01-01T10:00:00Z'),
    entry('mar', '2026-03-01T10:00:00Z'),
    entry('feb-1', '2026-02-01T10:00:00Z'),
    entry('feb-2', '2026-02-01T10:00:00Z'),
    entry('apr', '2026-04-01T10:00:00Z'),
  ];

  it('lists the entries at or before the instant, newest first, of one instant the one written last first', () => {
    expect(ids(entriesUpTo(entries, Date.parse('2026-03-01T10:00:00Z')))).toEqual(['mar', 'feb-2', 'feb-1', 'jan']);
  });

  it.each([
    [0, []],
    [1, ['mar']],
    [2, ['mar', 'feb-2']],
    [3, ['mar', 'feb-2', 'feb-1']],
    [9, ['mar', 'feb-2', 'feb-1', 'jan']],
  ])('stops at %i', (limit, expected) => {
    expect(ids(entriesUpTo(entries, Date.parse('2026-03-15T00:00:00Z'), limit))).toEqual(expected);
  });

  it('starts at `from` when given: a membership year, newest first', () => {
    expect(ids(entriesUpTo(entries, Date.parse('2026-12-31T00:00:00Z'), Infinity, Date.parse('2026-02-01T10:00:00Z')))).toEqual(['apr', 'mar', 'feb-2', 'feb-1']);
    expect(ids(entriesUpTo(entries, Date.parse('2026-12-31T00:00:00Z'), 2, Date.parse('2026-02-01T10:00:01Z')))).toEqual(['apr', 'mar']);
    expect(entriesUpTo(entries, Date.parse('2026-12-31T00:00:00Z'), 5, Date.parse('2026-05-01T00:00:00Z'))).toEqual([]);
  });

  it('is empty before the first entry and for no entries', () => {
    expect(entriesUpTo(entries, Date.parse('2025-12-31T00:00:00Z'), 5)).toEqual([]);
    expect(entriesUpTo([], Date.parse('2026-12-31T00:00:00Z'), 5)).toEqual([]);
  });

  it('gives what sorting a copy on every request gives, for many ledgers', () => {
    const next = random(7);
    for (let ledger = 0; ledger < 200; ledger += 1) {
      const count = Math.floor(next() * 30);
      // Few distinct instants, so that many entries share one.
      const list = Array.from({ length: count }, (_, i) => entry(`e${i}`, new Date(Date.UTC(2026, 0, 1 + Math.floor(next() * 10))).toISOString()));
      const at = Date.UTC(2026, 0, 1 + Math.floor(next() * 12));
      const limit = 1 + Math.floor(next() * 8);
      expect(ids(entriesUpTo(list, at, limit))).toEqual(ids(latestBySorting(list, at, limit)));
      expect(ids(entriesUpTo(timelineOf(list), at, limit))).toEqual(ids(latestBySorting(list, at, limit)));
      const from = Date.UTC(2026, 0, 1 + Math.floor(next() * 10));
      expect(ids(entriesUpTo(list, at, Infinity, from))).toEqual(ids(latestBySorting(list, at, Infinity).filter((e) => Date.parse(e.at) >= from)));
    }
  });
});
