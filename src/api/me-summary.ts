// What the personal tab shows a member, as JSON: the same numbers as the CLI's `status` and the bot's
// points card, plus the year's months, history and pending claims. Built from the store's state at an
// instant; reads nothing else.
import { DateTime } from 'luxon';
import { entryTitle } from '../cards/cards.js';
import type { Catalog, LevelId } from '../core/catalog.js';
import { isPending, pendingClaims } from '../core/claims.js';
import { yearHistory } from '../core/history.js';
import type { Member } from '../core/ledger.js';
import { memberStatus, type Outcome } from '../core/lifecycle.js';
import { nextReminderDate } from '../core/notices.js';
import { dateIn, monthIn, toUtcIso } from '../core/time.js';
import type { State } from '../store/state.js';

/** The newest history entries sent; a year of upvotes can run to thousands. */
export const HISTORY_LIMIT = 500;

/** The CLI's `status` output without `member` and `at` (which the summary has at its top). */
export interface StatusJson {
  /** number: 1 for the year that starts on the sign-up date, as the tab and the status card show it. */
  year: { number: number; start: string; end: string };
  points: number;
  status: LevelId | null;
  carried: LevelId | null;
  nextLevel: LevelId | null;
  pointsToNextLevel: number | null;
  toKeepStatus: number;
  daysToRenewal: number;
  outcomes: Outcome[];
}

export interface MonthPoints {
  /** YYYY-MM, in the program time zone. */
  month: string;
  points: number;
  /** The month has not begun yet. */
  future: boolean;
}

export interface HistoryItem {
  id: string;
  /** YYYY-MM-DD in the program time zone. */
  date: string;
  at: string;
  action: string;
  title: string;
  points: number;
  /** Why fewer points than the rule's figure were credited (a monthly cap). */
  reason?: string;
  note?: string;
  /** A later entry cancels this one. */
  reversed: boolean;
  /** This entry is a correction of that one. */
  reverses?: string;
}

export interface PendingClaim {
  id: string;
  kind: 'action' | 'attendance';
  title: string;
  dates: string[];
  submittedAt: string;
}

export interface AdminSummary {
  /** Claims of all members waiting for review. */
  claimsWaiting: number;
}

interface Common {
  at: string;
  timeZone: string;
  levels: { id: LevelId; name: string; threshold: number }[];
  /** Only for administrators. */
  admin: AdminSummary | null;
}

export type MeSummary =
  | (Common & { enrolled: false })
  | (Common & {
      enrolled: true;
      member: { id: string; name: string; email: string; signedUpAt: string };
      /** null before the sign-up date. */
      status: StatusJson | null;
      months: MonthPoints[];
      history: HistoryItem[];
      /** Entries this membership year, of which `history` holds the newest HISTORY_LIMIT. */
      historyTotal: number;
      pendingClaims: PendingClaim[];
      /** The next renewal reminder (YYYY-MM-DD), or null when reminders are off or none is planned. */
      nextReminder: string | null;
    });

export interface SummaryInput {
  catalog: Catalog;
  state: State;
  /** The signed-in member, or undefined when the user is not enrolled. */
  member: Member | undefined;
  isAdmin: boolean;
  at: number;
  reminderDays: readonly number[];
}

function countPending(state: State): number {
  let count = 0;
  for (const claim of state.claims.values()) if (isPending(claim)) count += 1;
  return count;
}

export function meSummary(input: SummaryInput): MeSummary {
  const { catalog, state, member, at } = input;
  const common: Common = {
    at: toUtcIso(at),
    timeZone: catalog.timeZone,
    levels: catalog.levels.map((l) => ({ id: l.id, name: l.name, threshold: l.threshold })),
    admin: input.isAdmin ? { claimsWaiting: countPending(state) } : null,
  };
  if (!member) return { ...common, enrolled: false };

  const zone = catalog.timeZone;
  const entries = state.entriesOf(member.id);
  const report = memberStatus(catalog, member, entries, at);
  const status: StatusJson | null = report && {
    year: { number: report.year.number, start: report.year.startDate, end: report.year.endDate },
    points: report.points,
    status: report.status,
    carried: report.carried,
    nextLevel: report.nextLevel,
    pointsToNextLevel: report.pointsToNextLevel,
    toKeepStatus: report.toKeepStatus,
    daysToRenewal: report.daysToRenewal,
    outcomes: report.outcomes,
  };
  // This membership year up to now, newest first: what the bot's /history pages through.
  const inYear = yearHistory(member, entries, at, zone)?.entries ?? [];

  const months: MonthPoints[] = [];
  if (report) {
    const byMonth = new Map<string, number>();
    for (const e of inYear) {
      const month = monthIn(Date.parse(e.at), zone);
      byMonth.set(month, (byMonth.get(month) ?? 0) + e.points);
    }
    // Calendar months, as the leaderboard and the monthly caps count them: the year's first and last
    // months are partial when the anniversary is not on the 1st.
    const current = monthIn(at, zone);
    const last = DateTime.fromISO(report.year.endDate, { zone }).minus({ days: 1 });
    for (let m = DateTime.fromISO(report.year.startDate, { zone }).startOf('month'); m <= last; m = m.plus({ months: 1 })) {
      const month = m.toFormat('yyyy-MM');
      months.push({ month, points: byMonth.get(month) ?? 0, future: month > current });
    }
  }

  const muted = state.preferences.get(member.id)?.notificationsOff === true;
  return {
    ...common,
    enrolled: true,
    member: { id: member.id, name: member.name, email: member.email, signedUpAt: member.signedUpAt },
    status,
    months,
    history: inYear.slice(0, HISTORY_LIMIT).map((e) => ({
      id: e.id,
      date: dateIn(Date.parse(e.at), zone),
      at: e.at,
      action: e.action,
      title: entryTitle(catalog, e),
      points: e.points,
      ...(e.reason !== undefined && { reason: e.reason }),
      ...(e.note !== undefined && { note: e.note }),
      reversed: state.reversalOf(e.id) !== undefined,
      ...(e.reverses !== undefined && { reverses: e.reverses }),
    })),
    historyTotal: inYear.length,
    pendingClaims: pendingClaims(state.claims.values(), member.id)
      .reverse()
      .map((c) => ({
        id: c.id,
        kind: c.kind,
        title: c.kind === 'attendance' && c.title ? c.title : (catalog.byId.get(c.action)?.title ?? c.action),
        dates: c.dates,
        submittedAt: c.submittedAt,
      })),
    nextReminder: nextReminderDate(catalog, member, at, { reminderDays: input.reminderDays, muted }),
  };
}
