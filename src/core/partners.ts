// Partner credits, levels, discount and spending caps, exactly as PROGRAM.md section 4 defines them. Pure:
// the instant is an argument and the caller gathers the partner's activities and its people's ledger.
import {
  ORDER_KINDS,
  PARTNER_LEVELS,
  PARTNER_TRACKS,
  type Catalog,
  type OrderKind,
  type PartnerLevel,
  type PartnerLevelId,
  type PartnerMetric,
  type PartnerTrack,
} from './catalog.js';
import type { Result } from './ledger.js';
import type { Partner, PartnerActivity } from './partner-records.js';
import { dateIn, startOfDate, toUtcIso } from './time.js';

/** A DevOps ledger entry of one of the partner's people; a LedgerEntry fits. */
export interface DevopsCredit {
  /** ISO-8601 instant the points were credited. */
  at: string;
  points: number;
}

export interface PartnerStatusInput {
  partner: Partner;
  /** The partner's activities (others are ignored). */
  activities: readonly PartnerActivity[];
  /** Every DevOps ledger entry of the partner's people, reversals included. */
  devops: readonly DevopsCredit[];
}

export interface MetricCredits {
  metric: string;
  title: string;
  /** Credits earned this calendar year up to the instant asked about. */
  credits: number;
  /**
   * What was counted this year: certifications, downloads, posts, meetings…; activities for a
   * once-per-year metric; deals won for a deal metric; DevOps Points for the derived metric.
   */
  counted: number;
  /** Deal metrics only: deals registered and not yet won or lost. */
  pending?: number;
}

/** Where the level shown comes from. */
export type LevelSource = 'this-year' | 'last-year' | 'legacy';

export interface TrackStatus {
  /** Credits this calendar year (program time) up to the instant asked about. */
  credits: number;
  level: PartnerLevelId;
  /** The last day (YYYY-MM-DD) the level shown holds without more credits; null for a plain member. */
  levelValidUntil: string | null;
  levelFrom: LevelSource | null;
  /** The highest level this year's credits have met so far. */
  reachedThisYear: PartnerLevelId;
  nextLevel: PartnerLevelId | null;
  /** Credits still needed this year to reach nextLevel; null at the top. */
  creditsToNextLevel: number | null;
  /** Credits still needed this year so that the level shown also holds through next year. */
  creditsToKeepLevel: number;
  metrics: MetricCredits[];
}

export interface PartnerStatus {
  partner: string;
  name: string;
  at: string;
  year: number;
  tracks: Record<PartnerTrack, TrackStatus>;
  /** The highest level over both tracks: it sets the base discount. */
  level: PartnerLevelId;
  levelValidUntil: string | null;
  /** The catalog's base discount for the level, or null while the administrator has not set it. */
  discountPercent: number | null;
  /** DevOps Points the partner's people were credited this calendar month up to the instant, negatives included. */
  devopsPointsThisMonth: number;
  /** DevOps Points still needed this month for the next derived credits; null when the catalog has no such metric. */
  devopsPointsToNextCredits: number | null;
}

/** A change of credits on one metric at one instant. */
interface CreditEvent {
  at: number;
  metric: PartnerMetric;
  /** Negative only for the derived metric, when a debit takes the month below a full block. */
  credits: number;
  counted: number;
}

const yearOf = (ms: number, zone: string) => Number(dateIn(ms, zone).slice(0, 4));
const monthOf = (ms: number, zone: string) => dateIn(ms, zone).slice(0, 7);
const startOfYear = (year: number, zone: string) => startOfDate(`${year}-01-01`, zone);
const endOfYearDate = (year: number) => `${year}-12-31`;

/**
 * The highest partner level whose credits are at most c, as an index into the partner levels. Every
 * partner is at least the first level (Member), so 0 is the floor: unlike lifecycle's levelIndex, where
 * -1 means no level.
 */
function partnerLevelIndex(levels: readonly PartnerLevel[], credits: number): number {
  let found = 0;
  levels.forEach((level, i) => {
    if (level.credits <= credits) found = i;
  });
  return found;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

interface TimedActivity {
  at: number;
  activity: PartnerActivity;
}

/**
 * The credit events of one metric from its activities (already limited to the window, sorted by time).
 * "Per full N" and the derived metric count within each calendar month; a credit falls at the instant the
 * month's count completes a full N, so a level is reached at that instant.
 */
function activityEvents(metric: PartnerMetric, timed: readonly TimedActivity[], zone: string): CreditEvent[] {
  switch (metric.kind) {
    case 'each':
      return timed.map(({ at, activity }) => ({ at, metric, credits: metric.credits * activity.count, counted: activity.count }));
    case 'per-full-n-per-month': {
      const events: CreditEvent[] = [];
      for (const month of groupBy(timed, (t) => monthOf(t.at, zone)).values()) {
        let count = 0;
        let given = 0;
        for (const { at, activity } of month) {
          const before = Math.floor(count / metric.per);
          count += activity.count;
          let credits = (Math.floor(count / metric.per) - before) * metric.credits;
          if (metric.monthlyMax !== undefined) credits = Math.min(credits, metric.monthlyMax - given);
          given += credits;
          events.push({ at, metric, credits, counted: activity.count });
        }
      }
      return events;
    }
    case 'once-per-year': {
      const events: CreditEvent[] = [];
      for (const year of groupBy(timed, (t) => String(yearOf(t.at, zone))).values()) {
        year.forEach(({ at }, i) => events.push({ at, metric, credits: i === 0 ? metric.credits : 0, counted: 1 }));
      }
      return events;
    }
    case 'deal':
      // Credited at the win; a registration or a loss credits nothing.
      return timed.filter(({ activity }) => activity.status === 'won').map(({ at }) => ({ at, metric, credits: metric.credits, counted: 1 }));
    case 'devops-points':
      return [];
  }
}

/**
 * The derived metric: per calendar month, credits × full blocks of the month's running sum of points
 * (negatives included, never below 0). A completed month ends at floor(sum / per) × credits; the current
 * month counts up to the instant asked about. A debit that takes the sum below a full block takes that
 * block's credits back (a negative event), but not a level already reached.
 */
function devopsEvents(metric: PartnerMetric & { kind: 'devops-points' }, entries: readonly { at: number; points: number }[], zone: string): CreditEvent[] {
  const events: CreditEvent[] = [];
  for (const month of groupBy(entries, (e) => monthOf(e.at, zone)).values()) {
    let sum = 0;
    let credited = 0;
    for (const { at, points } of month) {
      sum += points;
      const now = Math.floor(Math.max(0, sum) / metric.per) * metric.credits;
      events.push({ at, metric, credits: now - credited, counted: points });
      credited = now;
    }
  }
  return events;
}

interface YearWalk {
  credits: number;
  reached: number;
}

/** Walks one track's events of one year (sorted by time); same-instant events count together. */
function walkTrack(levels: readonly PartnerLevel[], events: readonly CreditEvent[]): YearWalk {
  let credits = 0;
  let reached = 0;
  events.forEach((event, i) => {
    credits += event.credits;
    if (events[i + 1]?.at !== event.at) reached = Math.max(reached, partnerLevelIndex(levels, credits));
  });
  return { credits, reached };
}

interface Window {
  year: number;
  yearStart: number;
  /** The partner's own activities, sorted by time, whatever their instant. */
  own: TimedActivity[];
  /** Every credit event of last year and this year up to the instant, sorted by time. */
  events: CreditEvent[];
  /** The DevOps ledger entries of the partner's people, whatever their instant, sorted by time. */
  devops: { at: number; points: number }[];
}

function creditEvents(catalog: Catalog, input: PartnerStatusInput, at: number): Window {
  const zone = catalog.timeZone;
  const { partner } = input;
  const { metrics } = catalog.partner;
  const year = yearOf(at, zone);
  const yearStart = startOfYear(year, zone);
  // Only last year and this year matter: a level reached earlier has lapsed by now.
  const from = Math.max(startOfYear(year - 1, zone), startOfDate(catalog.partner.startsAt, zone));
  const inWindow = (ms: number) => ms >= from && ms <= at;

  const own = input.activities
    .filter((a) => a.partnerId === partner.id)
    .map((activity) => ({ at: Date.parse(activity.at), activity }))
    .sort((a, b) => a.at - b.at || (a.activity.id < b.activity.id ? -1 : a.activity.id > b.activity.id ? 1 : 0));
  const byMetric = groupBy(
    own.filter((t) => inWindow(t.at)),
    (t) => t.activity.metric,
  );
  const devops = input.devops.map((e) => ({ at: Date.parse(e.at), points: e.points })).sort((a, b) => a.at - b.at);

  const events: CreditEvent[] = metrics
    .flatMap((metric) =>
      metric.kind === 'devops-points'
        ? devopsEvents(metric, devops.filter((e) => inWindow(e.at)), zone)
        : activityEvents(metric, byMetric.get(metric.id) ?? [], zone),
    )
    .sort((a, b) => a.at - b.at);
  return { year, yearStart, own, events, devops };
}

export interface LevelReached {
  level: PartnerLevelId;
  /** ISO-8601 UTC instant this year's credits on the track first met the level's threshold. */
  at: string;
  /** The track's credits this year at that instant. */
  credits: number;
}

/**
 * The levels above Member that each track reached this calendar year up to `at`, lowest first, each with
 * the instant it was reached (same-instant activities count together, so one activity can reach two
 * levels at once). A legacy level or one held from last year is not reached again unless this year's
 * credits meet it. For announcing a level reached.
 */
export function partnerLevelsReached(catalog: Catalog, input: PartnerStatusInput, at: number): Record<PartnerTrack, LevelReached[]> {
  const { levels } = catalog.partner;
  const { yearStart, events } = creditEvents(catalog, input, at);
  const reachedOn = (name: PartnerTrack): LevelReached[] => {
    const mine = events.filter((e) => e.metric.track === name && e.at >= yearStart);
    const out: LevelReached[] = [];
    let credits = 0;
    let reached = 0;
    mine.forEach((event, i) => {
      credits += event.credits;
      if (mine[i + 1]?.at === event.at) return;
      const index = partnerLevelIndex(levels, credits);
      for (let l = reached + 1; l <= index; l += 1) out.push({ level: levels[l]!.id, at: toUtcIso(event.at), credits });
      reached = Math.max(reached, index);
    });
    return out;
  };
  return { technical: reachedOn('technical'), business: reachedOn('business') };
}

/** The partner's credits, levels and discount at an instant. */
export function partnerStatus(catalog: Catalog, input: PartnerStatusInput, at: number): PartnerStatus {
  const zone = catalog.timeZone;
  const { partner } = input;
  const { levels, metrics } = catalog.partner;
  const { year, yearStart, own, events, devops } = creditEvents(catalog, input, at);

  const legacyActive =
    partner.legacyAt !== undefined && partner.legacyValidUntil !== undefined && Date.parse(partner.legacyAt) <= at && dateIn(at, zone) <= partner.legacyValidUntil;

  const track = (name: PartnerTrack): TrackStatus => {
    const mine = events.filter((e) => e.metric.track === name);
    const lastYear = walkTrack(levels, mine.filter((e) => e.at < yearStart));
    const thisYearEvents = mine.filter((e) => e.at >= yearStart);
    const thisYear = walkTrack(levels, thisYearEvents);
    const legacy = legacyActive ? partner.legacyLevel?.[name] : undefined;
    const sources: { from: LevelSource; index: number; until: string }[] = [
      { from: 'this-year', index: thisYear.reached, until: endOfYearDate(year + 1) },
      { from: 'last-year', index: lastYear.reached, until: endOfYearDate(year) },
      ...(legacy && partner.legacyValidUntil ? [{ from: 'legacy' as const, index: PARTNER_LEVELS.indexOf(legacy), until: partner.legacyValidUntil }] : []),
    ];
    const index = Math.max(0, ...sources.map((s) => s.index));
    // Of the sources giving the level shown, the one that holds longest.
    const best = index === 0 ? undefined : sources.filter((s) => s.index === index).sort((a, b) => (a.until < b.until ? 1 : -1))[0];
    const next = levels[index + 1];
    return {
      credits: thisYear.credits,
      level: levels[index]!.id,
      levelValidUntil: best?.until ?? null,
      levelFrom: best?.from ?? null,
      reachedThisYear: levels[thisYear.reached]!.id,
      nextLevel: next?.id ?? null,
      creditsToNextLevel: next ? Math.max(0, next.credits - thisYear.credits) : null,
      creditsToKeepLevel: Math.max(0, levels[index]!.credits - thisYear.credits),
      metrics: metrics
        .filter((metric) => metric.track === name)
        .map((metric) => metricCredits(metric, thisYearEvents, own, at)),
    };
  };

  const tracks = { technical: track('technical'), business: track('business') };
  const index = Math.max(...PARTNER_TRACKS.map((name) => PARTNER_LEVELS.indexOf(tracks[name].level)));
  const level = PARTNER_LEVELS[index]!;
  const validity = PARTNER_TRACKS.filter((name) => tracks[name].level === level)
    .map((name) => tracks[name].levelValidUntil)
    .filter((date): date is string => date !== null)
    .sort();

  const month = monthOf(at, zone);
  const devopsPointsThisMonth = devops.filter((e) => e.at <= at && monthOf(e.at, zone) === month).reduce((sum, e) => sum + e.points, 0);
  const derived = metrics.find((metric) => metric.kind === 'devops-points');

  return {
    partner: partner.id,
    name: partner.name,
    at: toUtcIso(at),
    year,
    tracks,
    level,
    levelValidUntil: validity.at(-1) ?? null,
    discountPercent: catalog.partner.discountPercent[level],
    devopsPointsThisMonth,
    devopsPointsToNextCredits: derived ? (Math.floor(Math.max(0, devopsPointsThisMonth) / derived.per) + 1) * derived.per - devopsPointsThisMonth : null,
  };
}

function metricCredits(metric: PartnerMetric, thisYear: readonly CreditEvent[], own: readonly TimedActivity[], at: number): MetricCredits {
  const mine = thisYear.filter((e) => e.metric === metric);
  const result: MetricCredits = {
    metric: metric.id,
    title: metric.title,
    credits: mine.reduce((sum, e) => sum + e.credits, 0),
    counted: mine.reduce((sum, e) => sum + e.counted, 0),
  };
  if (metric.kind !== 'deal') return result;
  // Pending whatever the year of registration: a deal stays open until it is won or lost.
  const deals = own.filter((t) => t.activity.metric === metric.id && t.at <= at && t.activity.deal !== undefined);
  const decided = new Set(deals.filter((t) => t.activity.status !== 'registered').map((t) => t.activity.deal));
  const open = new Set(deals.filter((t) => t.activity.status === 'registered' && !decided.has(t.activity.deal)).map((t) => t.activity.deal));
  return { ...result, pending: open.size };
}

// ---------------------------------------------------------------------------------------------
// Spending credits on an order.

export interface Redemption {
  order: OrderKind;
  /** The order amount, in the catalog's currency. */
  amount: number;
  currency: string;
  capPercent: number;
  /** The most of the order that credits may pay: cap % of the amount, rounded down to the cent. */
  capAmount: number;
  /** The value of one credit, or null while the administrator has not set it. */
  creditValue: number | null;
  available: number;
  /** The most credits the order may use (whole credits), or null when the credit value is unknown. */
  credits: number | null;
  /** What those credits take off the order, or null when the credit value is unknown. */
  value: number | null;
  /** What limits the credits: the order's cap or the partner's available credits. */
  limitedBy: 'cap' | 'available' | null;
  /** Set when the credits cannot be computed, saying why. */
  note: string | null;
}

const fail = (code: string, message: string): { ok: false; problem: { code: string; message: string } } => ({ ok: false, problem: { code, message } });

/** A non-negative amount with at most two decimals, as whole cents; null otherwise. */
function toCents(amount: number): number | null {
  if (!Number.isFinite(amount) || amount < 0) return null;
  const cents = Math.round(amount * 100);
  // Accept the float noise of a two-decimal amount (19.99 * 100 = 1998.9999999999998), nothing more.
  return Math.abs(cents - amount * 100) < 1e-6 * Math.max(1, cents) && Number.isSafeInteger(cents) ? cents : null;
}

/**
 * The most credits one order may use. Money is counted in whole cents so nothing is lost to floating
 * point: the cap (cap % of the amount) is rounded down to the cent, the credits it buys are rounded down
 * to whole credits (a part credit cannot be spent), and never more than the credits available.
 */
export function redeem(catalog: Catalog, order: OrderKind, amount: number, available: number): Result<Redemption> {
  if (!ORDER_KINDS.includes(order)) return fail('UNKNOWN_ORDER', `the order kind must be ${ORDER_KINDS.join(', ')} (got "${String(order)}")`);
  const amountCents = toCents(amount);
  if (amountCents === null) return fail('BAD_AMOUNT', `the order amount must be 0 or more with at most two decimals (got ${amount})`);
  if (!Number.isSafeInteger(available) || available < 0) {
    return fail('BAD_CREDITS', `the available credits must be a whole number, 0 or more (got ${available})`);
  }
  const { spendingCaps, creditValue } = catalog.partner;
  const capPercent = spendingCaps[order];
  // Percentages may carry decimals (12.5): scale them to whole numbers before the division.
  const capCents = Math.floor((amountCents * Math.round(capPercent * 1000)) / 100_000);
  const base = {
    order,
    amount: amountCents / 100,
    currency: creditValue.currency,
    capPercent,
    capAmount: capCents / 100,
    creditValue: creditValue.amount,
    available,
  };
  if (creditValue.amount === null) {
    const note = `the value of one credit is not set in the catalog (partner.creditValue.amount): credits may pay at most ${(capCents / 100).toFixed(2)} ${creditValue.currency} of this order`;
    return { ok: true, value: { ...base, credits: null, value: null, limitedBy: null, note } };
  }
  // The catalog holds the value to the cent.
  const valueCents = Math.round(creditValue.amount * 100);
  const byCap = Math.floor(capCents / valueCents);
  const credits = Math.min(byCap, available);
  return {
    ok: true,
    value: { ...base, credits, value: (credits * valueCents) / 100, limitedBy: available < byCap ? 'available' : 'cap', note: null },
  };
}
