// The leaderboard: points per calendar month or year (program time zone), members who opted out left
// out, most points first and ties by name. Pure.
import type { Preferences } from './claims.js';
import type { LedgerEntry, Member } from './ledger.js';
import { dateIn, monthIn, startOfDate } from './time.js';

/** What the leaderboard reads; the store's state provides it. */
export interface LeaderboardView {
  readonly members: ReadonlyMap<string, Member>;
  readonly preferences: ReadonlyMap<string, Preferences>;
  entriesOf(memberId: string): readonly LedgerEntry[];
}

export type LeaderboardPeriod = 'month' | 'year';

export interface Standing {
  member: Member;
  points: number;
}

/** Where one member stands: opted out, ranked (1 = first), or without points in the period. */
export type MyStanding = { kind: 'opted-out' } | { kind: 'ranked'; rank: number; of: number; points: number } | { kind: 'no-points' };

export interface Leaderboard {
  /** YYYY-MM or YYYY. */
  period: string;
  /** Everyone with more than 0 points in the period up to the instant, who did not opt out. */
  standings: Standing[];
}

export const optedOut = (view: LeaderboardView, memberId: string): boolean => view.preferences.get(memberId)?.leaderboardOptOut === true;

/** The period holding `at`, as its label and first instant. */
function periodOf(period: LeaderboardPeriod, at: number, zone: string): { label: string; start: number } {
  if (period === 'month') {
    const label = monthIn(at, zone);
    return { label, start: startOfDate(`${label}-01`, zone) };
  }
  const label = dateIn(at, zone).slice(0, 4);
  return { label, start: startOfDate(`${label}-01-01`, zone) };
}

export function leaderboard(view: LeaderboardView, period: LeaderboardPeriod, at: number, zone: string): Leaderboard {
  const { label, start } = periodOf(period, at, zone);
  const standings: Standing[] = [];
  for (const member of view.members.values()) {
    if (optedOut(view, member.id)) continue;
    let points = 0;
    for (const entry of view.entriesOf(member.id)) {
      const t = Date.parse(entry.at);
      if (t >= start && t <= at) points += entry.points;
    }
    if (points > 0) standings.push({ member, points });
  }
  standings.sort((a, b) => b.points - a.points || a.member.name.localeCompare(b.member.name));
  return { period: label, standings };
}

export function standingOf(view: LeaderboardView, board: Leaderboard, memberId: string): MyStanding {
  if (optedOut(view, memberId)) return { kind: 'opted-out' };
  const index = board.standings.findIndex((s) => s.member.id === memberId);
  if (index < 0) return { kind: 'no-points' };
  return { kind: 'ranked', rank: index + 1, of: board.standings.length, points: board.standings[index]!.points };
}
