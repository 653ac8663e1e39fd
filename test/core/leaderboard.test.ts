// The leaderboard: month and year totals in the program time zone, opt-outs, ties by name, my rank.
import { describe, expect, it } from 'vitest';
import type { Preferences } from '../../src/core/claims.js';
import { leaderboard, standingOf, type LeaderboardView } from '../../src/core/leaderboard.js';
import type { LedgerEntry, Member } from '../../src/core/ledger.js';

const ZONE = 'Europe/Brussels';
const member = (id: string, name: string): Member => ({ id, email: `${id}@example.com`, name, signedUpAt: '2025-01-01' });
const entry = (memberId: string, at: string, points: number): LedgerEntry => ({ id: `${memberId}-${at}`, memberId, action: 'qa.ask', at, points, inputs: {}, source: 'import', by: 't', edition: 'e' });

function view(entries: LedgerEntry[], preferences: Preferences[] = []): LeaderboardView {
  const members = new Map([member('ann', 'Ann'), member('bob', 'Bob'), member('cas', 'Cas'), member('dan', 'Dan')].map((m) => [m.id, m]));
  return {
    members,
    preferences: new Map(preferences.map((p) => [p.id, p])),
    entriesOf: (id) => entries.filter((e) => e.memberId === id),
  };
}

const at = Date.parse('2026-11-23T12:00:00Z');
const entries = [
  entry('ann', '2026-11-20T08:00:00Z', 25),
  entry('ann', '2026-06-12T08:00:00Z', 750),
  entry('bob', '2026-11-02T08:00:00Z', 10),
  entry('bob', '2026-10-31T23:30:00Z', 40), // 00:30 on 1 November in Brussels: this month
  entry('cas', '2026-11-05T08:00:00Z', 50),
  entry('cas', '2026-11-24T08:00:00Z', 500), // after the instant
  entry('dan', '2025-12-31T23:30:00Z', 900), // 2026 in Brussels
  entry('dan', '2026-11-10T08:00:00Z', -10), // a downvote: no positive total this month
];
const rows = (board: ReturnType<typeof leaderboard>) => board.standings.map((s) => [s.member.name, s.points]);

describe('leaderboard()', () => {
  it.each([
    { period: 'month' as const, label: '2026-11', expected: [['Bob', 50], ['Cas', 50], ['Ann', 25]] },
    { period: 'year' as const, label: '2026', expected: [['Dan', 890], ['Ann', 775], ['Bob', 50], ['Cas', 50]] },
  ])('totals the $period up to the instant, most points first, ties by name', ({ period, label, expected }) => {
    const board = leaderboard(view(entries), period, at, ZONE);
    expect(board.period).toBe(label);
    expect(rows(board)).toEqual(expected);
  });

  it('leaves out who opted out, and who has no positive total', () => {
    const board = leaderboard(view(entries, [{ id: 'bob', leaderboardOptOut: true }, { id: 'cas', notificationsOff: true }]), 'month', at, ZONE);
    expect(rows(board)).toEqual([['Cas', 50], ['Ann', 25]]);
  });

  it('is empty when nobody has points', () => {
    expect(leaderboard(view([]), 'year', at, ZONE)).toEqual({ period: '2026', standings: [] });
  });
});

describe('standingOf()', () => {
  const v = view(entries, [{ id: 'ann', leaderboardOptOut: true }]);
  const board = leaderboard(v, 'month', at, ZONE);
  it.each([
    { who: 'bob', expected: { kind: 'ranked', rank: 1, of: 2, points: 50 } },
    { who: 'cas', expected: { kind: 'ranked', rank: 2, of: 2, points: 50 } },
    { who: 'ann', expected: { kind: 'opted-out' } },
    { who: 'dan', expected: { kind: 'no-points' } },
  ])('$who: $expected.kind', ({ who, expected }) => {
    expect(standingOf(v, board, who)).toEqual(expected);
  });
});
