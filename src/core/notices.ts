// What the bot tells a member unprompted, and when it is due. Pure: computed from a member's ledger
// and a window of time (from, at], so nothing depends on a timer per member and nothing is lost across
// a restart or downtime: a later pass with a wider window catches up.
import type { Catalog, LevelId, PartnerLevelId, PartnerTrack } from './catalog.js';
import type { LedgerEntry, Member } from './ledger.js';
import { levelIndex, memberStatus } from './lifecycle.js';
import { partnerLevelsReached, type PartnerStatusInput } from './partners.js';
import { dateIn, membershipYear, membershipYearAt, shiftDate, startOfDate, toUtcIso, type MembershipYear } from './time.js';

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

/** A partner's track reached a level this calendar year: told to each of the partner's people. */
export interface PartnerLevelNotice extends NoticeBase {
  kind: 'partner-level';
  partnerId: string;
  partnerName: string;
  track: PartnerTrack;
  level: PartnerLevelId;
  /** The calendar year the level was reached in. */
  year: number;
  reachedAt: string;
  credits: number;
  /** The level holds until this date (31 December of the following year). */
  validUntil: string;
}

export type Notification = ClaimDecisionNotice | PromotionNotice | ReminderNotice | AnniversaryNotice | PartnerLevelNotice;

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

interface TimedPoints {
  at: number;
  points: number;
}

/** The instant each level was first met within [start, until), from sorted entries; same-instant entries count together. */
function levelsMet(catalog: Catalog, sorted: readonly TimedPoints[], start: number, until: number): number[] {
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
  const out: DueNotice[] = [];
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
        createdAt: toUtcIso(at),
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
  // promotion falls inside the window (downtime across an anniversary). The status report already
  // says whether the current year has one, so the ledger is walked again only when needed.
  let sorted: TimedPoints[] | null = null;
  const timed = () => (sorted ??= entries.map((e) => ({ at: Date.parse(e.at), points: e.points })).sort((a, b) => a.at - b.at));
  for (let k = current.index; k >= 0; k -= 1) {
    const year = membershipYear(member.signedUpAt, k, zone);
    const isCurrent = k === current.index;
    if (!isCurrent && year.end <= from) break;
    const carried = k === 0 ? -1 : levelIndex(levels, report.outcomes[k - 1]!.yearTotal);
    if (isCurrent && levels.findIndex((l) => l.id === report.reached) <= carried) continue;
    const met = levelsMet(catalog, timed(), year.start, Math.min(year.end, at + 1));
    const top = met.length - 1;
    if (top <= carried) continue;
    const reachedAt = met[top]!;
    if (!isCurrent && reachedAt <= from) continue;
    const level = levels[top]!;
    const next = levels[top + 1];
    const total = isCurrent ? report.points : report.outcomes[k]!.yearTotal;
    out.push({
      baseline: window.baselineBefore !== undefined && reachedAt < window.baselineBefore,
      notice: {
        id: `promotion:${member.id}:${k}:${level.id}`,
        kind: 'promotion',
        memberId: member.id,
        createdAt: toUtcIso(at),
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
          createdAt: toUtcIso(at),
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

/**
 * Partner levels to announce to the partner's people: per track, the highest level reached in the
 * calendar year, like a member's promotion (this year's whenever reached, last year's only when the
 * window holds the moment it was reached).
 */
export function partnerLevelsDue(catalog: Catalog, input: PartnerStatusInput, people: readonly Member[], window: DueWindow): DueNotice[] {
  const { from, at } = window;
  const zone = catalog.timeZone;
  const year = Number(dateIn(at, zone).slice(0, 4));
  const yearStart = startOfDate(`${year}-01-01`, zone);
  const checks: { year: number; until: number; current: boolean }[] = [{ year, until: at, current: true }];
  if (from < yearStart) checks.push({ year: year - 1, until: yearStart - 1, current: false });
  const out: DueNotice[] = [];
  for (const check of checks) {
    const reached = partnerLevelsReached(catalog, input, check.until);
    for (const track of ['technical', 'business'] as const) {
      const top = reached[track].at(-1);
      if (!top) continue;
      const reachedAt = Date.parse(top.at);
      if (!check.current && reachedAt <= from) continue;
      for (const person of people) {
        out.push({
          baseline: window.baselineBefore !== undefined && reachedAt < window.baselineBefore,
          notice: {
            id: `partner-level:${input.partner.id}:${track}:${check.year}:${top.level}:${person.id}`,
            kind: 'partner-level',
            memberId: person.id,
            createdAt: toUtcIso(at),
            partnerId: input.partner.id,
            partnerName: input.partner.name,
            track,
            level: top.level,
            year: check.year,
            reachedAt: top.at,
            credits: top.credits,
            validUntil: `${check.year + 1}-12-31`,
          },
        });
      }
    }
  }
  return out;
}
