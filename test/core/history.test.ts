// The one membership-year history: the bot's /history and status card, the tab and the CLI read it.
import { describe, expect, it } from 'vitest';
import { historyByYear, latestEntries, yearHistory } from '../../src/core/history.js';
import type { LedgerEntry, Member } from '../../src/core/ledger.js';

const ZONE = 'Europe/Brussels';
const ann: Member = { id: 'ann', email: 'ann@example.com', name: 'Ann', signedUpAt: '2025-04-12' };

const entry = (id: string, at: string, points = 10): LedgerEntry => ({ id, memberId: 'ann', action: 'qa.ask', at, points, inputs: {}, source: 'import', by: 't', edition: 'e' });

// Written in this order (not time order): an import may bring older entries later.
const ledger = [
  entry('y1-b', '2025-06-01T10:00:00.000Z'),
  entry('y1-a', '2025-05-01T10:00:00.000Z'),
  entry('y2-a', '2026-04-11T22:00:00.000Z', 25), // 00:00 on 12 April in Brussels: the second year's first instant
  entry('y2-b', '2026-06-01T10:00:00.000Z', 50),
  entry('y2-c', '2026-06-01T10:00:00.000Z', 75), // same instant as y2-b, written after it
  entry('y2-d', '2026-11-30T10:00:00.000Z', 100), // after the instant asked below
];
const at = Date.parse('2026-11-23T12:00:00Z');
const ids = (entries: readonly LedgerEntry[]) => entries.map((e) => e.id);

describe('yearHistory()', () => {
  it.each([
    { what: 'the year holding the instant, up to it, newest first; of one instant the later-written first', at, year: 2, expected: ['y2-c', 'y2-b', 'y2-a'] },
    { what: 'the first year, from the sign-up', at: Date.parse('2025-12-01T00:00:00Z'), year: 1, expected: ['y1-b', 'y1-a'] },
    { what: 'the first instant of a year, which belongs to it', at: Date.parse('2026-04-11T22:00:00Z'), year: 2, expected: ['y2-a'] },
    { what: 'the last instant before it, which does not', at: Date.parse('2026-04-11T21:59:59.999Z'), year: 1, expected: ['y1-b', 'y1-a'] },
  ])('$what', ({ at, year, expected }) => {
    const history = yearHistory(ann, ledger, at, ZONE)!;
    expect(history.year.number).toBe(year);
    expect(ids(history.entries)).toEqual(expected);
  });

  it('is null before the sign-up', () => {
    expect(yearHistory(ann, ledger, Date.parse('2025-04-11T12:00:00Z'), ZONE)).toBeNull();
  });

  it('is an empty list for a year without entries', () => {
    expect(yearHistory(ann, [], at, ZONE)).toMatchObject({ year: { startDate: '2026-04-12', endDate: '2027-04-12' }, entries: [] });
  });
});

describe('historyByYear()', () => {
  it('gives every entry oldest first, in one block per membership year with its total', () => {
    const blocks = historyByYear(ann, ledger, ZONE);
    expect(blocks.map((b) => [b.year?.number, ids(b.entries), b.total])).toEqual([
      [1, ['y1-a', 'y1-b'], 20],
      [2, ['y2-a', 'y2-b', 'y2-c', 'y2-d'], 250],
    ]);
  });

  it('puts entries before the sign-up in a block without a year', () => {
    const blocks = historyByYear(ann, [entry('early', '2025-01-01T10:00:00Z'), ...ledger], ZONE);
    expect(blocks.map((b) => [b.year?.number ?? null, ids(b.entries)])).toEqual([
      [null, ['early']],
      [1, ['y1-a', 'y1-b']],
      [2, ['y2-a', 'y2-b', 'y2-c', 'y2-d']],
    ]);
  });

  it('is empty for an empty ledger', () => {
    expect(historyByYear(ann, [], ZONE)).toEqual([]);
  });
});

describe('latestEntries()', () => {
  it.each([
    { count: 5, at, expected: ['y2-c', 'y2-b', 'y2-a', 'y1-b', 'y1-a'] },
    { count: 2, at, expected: ['y2-c', 'y2-b'] },
    { count: 3, at: Date.parse('2026-12-01T00:00:00Z'), expected: ['y2-d', 'y2-c', 'y2-b'] },
    { count: 5, at: Date.parse('2025-05-01T10:00:00Z'), expected: ['y1-a'] },
    { count: 5, at: Date.parse('2025-01-01T00:00:00Z'), expected: [] },
    { count: 0, at, expected: [] },
  ])('the newest $count up to $at, across years, as yearHistory orders them', ({ count, at, expected }) => {
    expect(ids(latestEntries(ledger, at, count))).toEqual(expected);
  });

  it('orders as a full sort would, whatever the written order', () => {
    const shuffled = [ledger[4]!, ledger[0]!, ledger[2]!, ledger[1]!, ledger[3]!];
    const sorted = [...shuffled].sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || shuffled.indexOf(b) - shuffled.indexOf(a));
    expect(ids(latestEntries(shuffled, at, 3))).toEqual(ids(sorted.slice(0, 3)));
  });
});
