// Status through the membership years, exactly as PROGRAM.md section 2 defines it. Pure.
import type { Catalog, Level, LevelId } from './catalog.js';
import type { LedgerEntry, Member } from './ledger.js';
import { dateIn, daysBetween, membershipYear, membershipYearAt, type MembershipYear } from './time.js';
import { timelineOf, type Timeline } from './timeline.js';

export interface Outcome {
  /** The anniversary, YYYY-MM-DD. */
  date: string;
  yearTotal: number;
  from: LevelId | null;
  to: LevelId | null;
  result: 'retained' | 'demoted';
}

export interface StatusReport {
  year: MembershipYear;
  points: number;
  status: LevelId | null;
  carried: LevelId | null;
  /** The highest level this year's points have met so far. */
  reached: LevelId | null;
  nextLevel: LevelId | null;
  pointsToNextLevel: number | null;
  toKeepStatus: number;
  daysToRenewal: number;
  outcomes: Outcome[];
}

/** The highest level whose threshold is at most p, as an index into catalog.levels (-1 = none). */
export function levelIndex(levels: readonly Level[], points: number): number {
  let found = -1;
  for (let i = 0; i < levels.length; i += 1) if (levels[i]!.threshold <= points) found = i;
  return found;
}

const idOf = (levels: readonly Level[], index: number): LevelId | null => levels[index]?.id ?? null;

interface YearWalk {
  total: number;
  reached: number;
}

/** Walks one year's entries up to an instant; same-instant entries count together. */
function walkYear(levels: readonly Level[], line: Timeline, from: number, until: number, startAt: number): YearWalk & { next: number } {
  const { times } = line;
  let total = 0;
  let reached = -1;
  let i = startAt;
  while (i < times.length) {
    const at = times[i]!;
    if (at >= until) break;
    if (at >= from) total += line[i]!.points;
    if (times[i + 1] !== at) reached = Math.max(reached, levelIndex(levels, total));
    i += 1;
  }
  return { total, reached, next: i };
}

/**
 * A member's status at an instant, or null when the instant is before the sign-up. The store's entries
 * (a Timeline) are walked as they are; any other list is put in time order first.
 */
export function memberStatus(catalog: Catalog, member: Member, entries: readonly LedgerEntry[], at: number): StatusReport | null {
  const zone = catalog.timeZone;
  const current = membershipYearAt(member.signedUpAt, at, zone);
  if (!current) return null;
  const { levels } = catalog;
  const sorted = timelineOf(entries);

  const outcomes: Outcome[] = [];
  let carried = -1;
  let cursor = 0;
  for (let k = 0; k < current.index; k += 1) {
    const year = membershipYear(member.signedUpAt, k, zone);
    const walk = walkYear(levels, sorted, year.start, year.end, cursor);
    cursor = walk.next;
    const held = Math.max(carried, walk.reached);
    const next = levelIndex(levels, walk.total);
    outcomes.push({
      date: year.endDate,
      yearTotal: walk.total,
      from: idOf(levels, held),
      to: idOf(levels, next),
      result: next === held ? 'retained' : 'demoted',
    });
    carried = next;
  }
  const walk = walkYear(levels, sorted, current.start, at + 1, cursor);
  const status = Math.max(carried, walk.reached);
  const next = levels[status + 1];
  const threshold = levels[status]?.threshold ?? 0;
  return {
    year: current,
    points: walk.total,
    status: idOf(levels, status),
    carried: idOf(levels, carried),
    reached: idOf(levels, walk.reached),
    nextLevel: next?.id ?? null,
    pointsToNextLevel: next ? Math.max(0, next.threshold - walk.total) : null,
    toKeepStatus: status < 0 ? 0 : Math.max(0, threshold - walk.total),
    daysToRenewal: daysBetween(dateIn(at, zone), current.endDate),
    outcomes,
  };
}
