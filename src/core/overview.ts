// What the program's administrators look at: the program at an instant (members per level, points per
// month, the most credited actions), the renewals coming up with the reminders sent for them, and a
// member search. Pure: levels and points come from memberStatus, never from a rule written again here.
import type { Preferences } from './claims.js';
import type { Catalog, LevelId } from './catalog.js';
import type { LedgerEntry, Member } from './ledger.js';
import { memberStatus } from './lifecycle.js';
import type { Delivery, Notification } from './notices.js';
import { dateIn, daysBetween, membershipYearAt, startOfDate, toUtcIso } from './time.js';
import { indexAfter, timelineOf } from './timeline.js';

/** What the overview reads; the store's state provides it. */
export interface OverviewView {
  readonly members: ReadonlyMap<string, Member>;
  entriesOf(memberId: string): readonly LedgerEntry[];
}

export interface RenewalsView extends OverviewView {
  readonly notifications: ReadonlyMap<string, Notification>;
  readonly preferences: ReadonlyMap<string, Preferences>;
}

export interface LevelCount {
  /** null: members without a level. */
  level: LevelId | null;
  members: number;
}

export interface MonthTotal {
  /** YYYY-MM in the program time zone. */
  month: string;
  /** Net points: credits less reversals made that month. */
  points: number;
}

export interface ActionTotal {
  action: string;
  /** Net points this calendar year: credits less reversals made this year. */
  points: number;
  /** Credits this year (reversals not counted). */
  entries: number;
}

export interface ProgramOverview {
  at: string;
  /** Members whose membership has begun at the instant. */
  enrolled: number;
  /** Members whose sign-up date is still to come. */
  upcoming: number;
  /** Members without a level first, then each level of the catalog, lowest first. */
  levels: LevelCount[];
  /** The last 12 calendar months, oldest first, the current one up to the instant. */
  months: MonthTotal[];
  /** The calendar year (YYYY) the top actions count. */
  year: string;
  /** At most TOP_ACTIONS, most points first. */
  topActions: ActionTotal[];
}

export const MONTHS_SHOWN = 12;
export const TOP_ACTIONS = 10;

/** The `count` calendar months up to the one holding `at`, oldest first, with their first instants. */
function lastMonths(at: number, count: number, zone: string): { month: string; start: number }[] {
  const [year, month] = dateIn(at, zone).split('-').map(Number) as [number, number];
  const out: { month: string; start: number }[] = [];
  for (let back = count - 1; back >= 0; back -= 1) {
    const index = year * 12 + (month - 1) - back;
    const label = `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
    out.push({ month: label, start: startOfDate(`${label}-01`, zone) });
  }
  return out;
}

/**
 * The program at an instant. Points count by the instant they were credited (as the ledger, the
 * leaderboard and the membership years do), so a reversal lowers the month and the action of the year
 * it was made in. Actions tie on points, then on the number of credits (more first), then on their id;
 * actions whose net points this year are 0 or less are not "most credited" and are left out.
 */
export function programOverview(catalog: Catalog, view: OverviewView, at: number): ProgramOverview {
  const zone = catalog.timeZone;
  const counts = new Map<LevelId | null, number>([[null, 0], ...catalog.levels.map((l) => [l.id, 0] as const)]);
  let upcoming = 0;
  const months = lastMonths(at, MONTHS_SHOWN, zone);
  const monthPoints = months.map(() => 0);
  const year = dateIn(at, zone).slice(0, 4);
  const yearStart = startOfDate(`${year}-01-01`, zone);
  const actions = new Map<string, ActionTotal>();

  for (const member of view.members.values()) {
    // The store's entries are a timeline already: in time order, instants parsed once.
    const line = timelineOf(view.entriesOf(member.id));
    const report = memberStatus(catalog, member, line, at);
    if (!report) upcoming += 1;
    else counts.set(report.status, (counts.get(report.status) ?? 0) + 1);
    const until = indexAfter(line.times, at);
    for (let i = indexAfter(line.times, months[0]!.start - 1); i < until; i += 1) {
      const entry = line[i]!;
      const t = line.times[i]!;
      let m = months.length - 1;
      while (months[m]!.start > t) m -= 1;
      monthPoints[m]! += entry.points;
      if (t < yearStart) continue;
      let total = actions.get(entry.action);
      if (!total) actions.set(entry.action, (total = { action: entry.action, points: 0, entries: 0 }));
      total.points += entry.points;
      if (entry.reverses === undefined) total.entries += 1;
    }
  }

  const topActions = [...actions.values()]
    .filter((a) => a.points > 0)
    .sort((a, b) => b.points - a.points || b.entries - a.entries || (a.action < b.action ? -1 : a.action > b.action ? 1 : 0))
    .slice(0, TOP_ACTIONS);
  return {
    at: toUtcIso(at),
    enrolled: view.members.size - upcoming,
    upcoming,
    levels: [...counts].map(([level, members]) => ({ level, members })),
    months: months.map((m, i) => ({ month: m.month, points: monthPoints[i]! })),
    year,
    topActions,
  };
}

export interface ReminderSent {
  /** The reminder's offset: days before the renewal. */
  daysBefore: number;
  delivery: Delivery;
  sentAt?: string;
}

export interface RenewalDue {
  member: { id: string; name: string; email: string };
  level: LevelId | null;
  points: number;
  /** Points still needed this year to keep the level (0: secured, or no level to keep). */
  toKeep: number;
  /** The anniversary, YYYY-MM-DD. */
  renewalDate: string;
  daysToRenewal: number;
  /** The member turned renewal reminders off. */
  remindersOff: boolean;
  /** The outbox's reminders for this renewal, earliest offset (most days before) first. */
  reminders: ReminderSent[];
}

export const RENEWAL_WINDOW_DAYS = 30;

/**
 * Members whose anniversary falls in the next `withinDays` days (after today, up to today + withinDays,
 * in the program time zone), soonest first, then by name.
 */
export function renewalsDue(catalog: Catalog, view: RenewalsView, at: number, withinDays = RENEWAL_WINDOW_DAYS): RenewalDue[] {
  const zone = catalog.timeZone;
  const today = dateIn(at, zone);
  const due: RenewalDue[] = [];
  const yearOf = new Map<string, number>();
  for (const member of view.members.values()) {
    // The membership year alone says whether the renewal is close; the status walk is only for those.
    const year = membershipYearAt(member.signedUpAt, at, zone);
    if (!year || daysBetween(today, year.endDate) > withinDays) continue;
    const report = memberStatus(catalog, member, view.entriesOf(member.id), at)!;
    yearOf.set(member.id, report.year.index);
    due.push({
      member: { id: member.id, name: member.name, email: member.email },
      level: report.status,
      points: report.points,
      toKeep: report.toKeepStatus,
      renewalDate: report.year.endDate,
      daysToRenewal: report.daysToRenewal,
      remindersOff: view.preferences.get(member.id)?.notificationsOff === true,
      reminders: [],
    });
  }
  if (due.length === 0) return due;
  const byMember = new Map(due.map((d) => [d.member.id, d]));
  for (const notice of view.notifications.values()) {
    if (notice.kind !== 'renewal-reminder' || yearOf.get(notice.memberId) !== notice.year) continue;
    byMember.get(notice.memberId)!.reminders.push({ daysBefore: notice.daysBefore, delivery: notice.delivery, ...(notice.sentAt !== undefined && { sentAt: notice.sentAt }) });
  }
  for (const d of due) d.reminders.sort((a, b) => b.daysBefore - a.daysBefore);
  return due.sort((a, b) => a.daysToRenewal - b.daysToRenewal || a.member.name.localeCompare(b.member.name) || (a.member.id < b.member.id ? -1 : 1));
}

export interface MemberMatches {
  /** At most `limit`, by name. */
  members: Member[];
  /** Every match, of which `members` holds the first `limit`. */
  total: number;
}

/** Members whose name or email contains the query (any case), by name then id. */
export function searchMembers(members: Iterable<Member>, query: string, limit: number): MemberMatches {
  const q = query.trim().toLowerCase();
  if (!q) return { members: [], total: 0 };
  const found: Member[] = [];
  for (const m of members) if (m.name.toLowerCase().includes(q) || m.email.toLowerCase().includes(q)) found.push(m);
  found.sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { members: found.slice(0, limit), total: found.length };
}
