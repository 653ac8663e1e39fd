// What the bot tells a member unprompted, and when it is due. Pure: computed from a member's ledger
// and a window of time (from, at], so nothing depends on a timer per member and nothing is lost across
// a restart or downtime: a later pass with a wider window catches up.
import type { Catalog, LevelId } from './catalog.js';
import type { LedgerEntry, Member } from './ledger.js';
import { levelIndex, memberStatus } from './lifecycle.js';
import { dateIn, membershipYear, membershipYearAt, shiftDate, startOfDate, toUtcIso, type MembershipYear } from './time.js';

export type NoticeKind = 'claim-decision' | 'promotion' | 'renewal-reminder' | 'anniversary';

/** Where a notification is in the outbox: written before sending, marked after. */
export type Delivery = 'pending' | 'sent' | 'failed' | 'unreachable' | 'skipped';

interface NoticeBase {
  /** The dedupe key: one notification per member, kind and subject (year and offset, level, claim). */
  id: string;
  memberId: string;
  createdAt: string;
  delivery: Delivery;
  attempts: number;
  sentAt?: string;
  /** The last failure, or why the notice was skipped. */
  lastError?: string;
}

export interface ClaimDecisionNotice extends NoticeBase {
  kind: 'claim-decision';
  claimId: string;
  status: 'pending' | 'approved' | 'rejected';
  points: number;
  reason?: string;
  /** Attendance: listed people who were not credited because they are not enrolled. */
  notCredited?: string[];
}

export interface PromotionNotice extends NoticeBase {
  kind: 'promotion';
  /** The membership year (0 = the first). */
  year: number;
  level: LevelId;
  reachedAt: string;
  points: number;
  nextLevel: LevelId | null;
  pointsToNextLevel: number | null;
  renewalDate: string;
}

export interface ReminderNotice extends NoticeBase {
  kind: 'renewal-reminder';
  year: number;
  daysBefore: number;
  renewalDate: string;
  daysLeft: number;
  points: number;
  status: LevelId | null;
  /** Points still needed to keep the status (0: secured). */
  toKeep: number;
  nextLevel: LevelId | null;
  pointsToNextLevel: number | null;
}

export interface AnniversaryNotice extends NoticeBase {
  kind: 'anniversary';
  /** The membership year that starts at this anniversary. */
  year: number;
  date: string;
  result: 'retained' | 'demoted';
  from: LevelId | null;
  to: LevelId | null;
  yearTotal: number;
  /** Points the new year needs to keep `to` (0 when there is no level to keep). */
  toKeep: number;
  nextRenewalDate: string;
}

export type Notification = ClaimDecisionNotice | PromotionNotice | ReminderNotice | AnniversaryNotice;

/** A notice that is due, before it enters the outbox. */
export type Due = { [K in Notification['kind']]: Omit<Extract<Notification, { kind: K }>, 'delivery' | 'attempts' | 'sentAt' | 'lastError'> }[Notification['kind']];

export interface DueWindow {
  /** Exclusive: the previous pass's instant. */
  from: number;
  /** Inclusive: this pass's instant. */
  at: number;
  /**
   * Set on the first pass of a store: promotions reached before this instant are recorded as known
   * (not sent), so turning notifications on does not announce a year of old promotions.
   */
  baselineBefore?: number;
}

export interface DueSettings {
  /** Days before the anniversary to remind, e.g. [30, 7, 1]. */
  reminderDays: readonly number[];
  /** The member turned reminders off (outcomes, promotions and decisions still arrive). */
  muted: boolean;
}

export interface DueNotice {
  notice: Due;
  /** Known but not to be sent (the first pass's baseline). */
  baseline: boolean;
}

interface Timed {
  at: number;
  points: number;
}

/** The instant each level was first met within [start, until), from sorted entries; same-instant entries count together. */
function levelsMet(catalog: Catalog, sorted: readonly Timed[], start: number, until: number): number[] {
  const met: number[] = [];
  let total = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    const { at, points } = sorted[i]!;
    if (at < start) continue;
    if (at >= until) break;
    total += points;
    if (sorted[i + 1]?.at === at) continue;
    const reached = levelIndex(catalog.levels, total);
    for (let l = 0; l <= reached; l += 1) if (met[l] === undefined) met[l] = at;
  }
  return met;
}

// Every pass asks for every member's reminder instants; luxon's zone math is the cost and there are
// only a few hundred distinct answers (one per renewal date and offset), so they are kept.
const reminderCache = new Map<string, number>();

/** The instants of the reminders before the end of a membership year, latest first. */
function reminderInstants(year: MembershipYear, reminderDays: readonly number[], zone: string): { days: number; at: number }[] {
  return [...new Set(reminderDays)]
    .sort((a, b) => a - b)
    .map((days) => {
      const key = `${zone}|${year.endDate}|${days}`;
      let at = reminderCache.get(key);
      if (at === undefined) {
        if (reminderCache.size > 100_000) reminderCache.clear();
        reminderCache.set(key, (at = startOfDate(shiftDate(year.endDate, -days), zone)));
      }
      return { days, at };
    })
    .filter((r) => r.at >= year.start);
}

/** Everything due for one member in the window, oldest first. */
export function dueFor(catalog: Catalog, member: Member, entries: readonly LedgerEntry[], window: DueWindow, settings: DueSettings): DueNotice[] {
  const { at, from } = window;
  const report = memberStatus(catalog, member, entries, at);
  if (!report) return [];
  const zone = catalog.timeZone;
  const { levels } = catalog;
  const createdAt = toUtcIso(at);
  const out: DueNotice[] = [];
  const sorted: Timed[] = entries.map((e) => ({ at: Date.parse(e.at), points: e.points })).sort((a, b) => a.at - b.at);
  const current = report.year;

  // Anniversaries inside the window, each with its outcome.
  for (let k = current.index; k >= 1; k -= 1) {
    const year = membershipYear(member.signedUpAt, k, zone);
    if (year.start <= from) break;
    const outcome = report.outcomes[k - 1]!;
    const toLevel = levels.find((l) => l.id === outcome.to);
    out.push({
      baseline: false,
      notice: {
        id: `anniversary:${member.id}:${k}`,
        kind: 'anniversary',
        memberId: member.id,
        createdAt,
        year: k,
        date: year.startDate,
        result: outcome.result,
        from: outcome.from,
        to: outcome.to,
        yearTotal: outcome.yearTotal,
        toKeep: toLevel?.threshold ?? 0,
        nextRenewalDate: year.endDate,
      },
    });
  }

  // Promotions: the highest level reached above the one carried in. The current year's are due
  // whenever they were reached (late data can promote in the past); an earlier year's only when the
  // promotion falls inside the window (downtime across an anniversary).
  for (let k = current.index; k >= 0; k -= 1) {
    const year = membershipYear(member.signedUpAt, k, zone);
    if (k < current.index && year.end <= from) break;
    const carried = k === 0 ? -1 : levelIndex(levels, report.outcomes[k - 1]!.yearTotal);
    const met = levelsMet(catalog, sorted, year.start, Math.min(year.end, at + 1));
    const top = met.length - 1;
    if (top <= carried) continue;
    const reachedAt = met[top]!;
    if (k < current.index && reachedAt <= from) continue;
    const level = levels[top]!;
    const next = levels[top + 1];
    const total = sorted.reduce((sum, e) => (e.at >= year.start && e.at <= Math.min(year.end - 1, at) ? sum + e.points : sum), 0);
    out.push({
      baseline: window.baselineBefore !== undefined && reachedAt < window.baselineBefore,
      notice: {
        id: `promotion:${member.id}:${k}:${level.id}`,
        kind: 'promotion',
        memberId: member.id,
        createdAt,
        year: k,
        level: level.id,
        reachedAt: toUtcIso(reachedAt),
        points: total,
        nextLevel: next?.id ?? null,
        pointsToNextLevel: next ? Math.max(0, next.threshold - total) : null,
        renewalDate: year.endDate,
      },
    });
  }

  // Renewal reminders: only the latest one inside the window, and only for the renewal still ahead.
  if (!settings.muted) {
    const reminder = reminderInstants(current, settings.reminderDays, zone).find((r) => r.at > from && r.at <= at);
    if (reminder) {
      out.push({
        baseline: false,
        notice: {
          id: `renewal-reminder:${member.id}:${current.index}:${reminder.days}`,
          kind: 'renewal-reminder',
          memberId: member.id,
          createdAt,
          year: current.index,
          daysBefore: reminder.days,
          renewalDate: current.endDate,
          daysLeft: report.daysToRenewal,
          points: report.points,
          status: report.status,
          toKeep: report.toKeepStatus,
          nextLevel: report.nextLevel,
          pointsToNextLevel: report.pointsToNextLevel,
        },
      });
    }
  }
  return out;
}

/** The date (YYYY-MM-DD) of the member's next renewal reminder after an instant, or null when muted. */
export function nextReminderDate(catalog: Catalog, member: Member, at: number, settings: DueSettings): string | null {
  if (settings.muted || settings.reminderDays.length === 0) return null;
  const zone = catalog.timeZone;
  const current = membershipYearAt(member.signedUpAt, at, zone);
  if (!current) return null;
  for (const index of [current.index, current.index + 1]) {
    const upcoming = reminderInstants(membershipYear(member.signedUpAt, index, zone), settings.reminderDays, zone)
      .filter((r) => r.at > at)
      .sort((a, b) => a.at - b.at)[0];
    if (upcoming) return dateIn(upcoming.at, zone);
  }
  return null;
}
