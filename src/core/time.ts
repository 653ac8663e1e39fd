// Calendar math in the program time zone. Every function takes the instant it needs; none reads the clock.
import { DateTime } from 'luxon';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// An instant must say where it is: a trailing Z or an offset, so no import depends on the server's zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function isIsoDate(text: string): boolean {
  return ISO_DATE.test(text) && DateTime.fromISO(text, { zone: 'utc' }).isValid;
}

/** Parses an ISO-8601 instant with an explicit offset; returns epoch milliseconds or null. */
export function parseInstant(text: string): number | null {
  if (!ISO_INSTANT.test(text)) return null;
  const dt = DateTime.fromISO(text, { setZone: true });
  return dt.isValid ? dt.toMillis() : null;
}

export function toUtcIso(ms: number): string {
  return new Date(ms).toISOString();
}

// Membership years, reminders and windows ask for the start of the same few thousand dates over and
// over; luxon's zone lookup is the cost, so each (zone, date) is computed once.
const startCache = new Map<string, number>();

/** 00:00 of a calendar date in the program zone. */
export function startOfDate(date: string, zone: string): number {
  const key = `${zone}|${date}`;
  let start = startCache.get(key);
  if (start === undefined) {
    start = DateTime.fromISO(date, { zone }).startOf('day').toMillis();
    if (startCache.size >= DATE_CACHE_LIMIT) startCache.clear();
    startCache.set(key, start);
  }
  return start;
}

/** The last millisecond of a calendar date in the program zone. */
export function endOfDate(date: string, zone: string): number {
  return DateTime.fromISO(date, { zone }).endOf('day').toMillis();
}

// Dates of ledger instants are asked for again and again (status cards, history, leaderboards), and
// luxon's zone lookup is the cost: results are kept, like the membership years below.
const dateCache = new Map<string, Map<number, string>>();
const DATE_CACHE_LIMIT = 100_000;

/**
 * The calendar date (YYYY-MM-DD) of an instant in the program zone. Kept per minute: zone offsets are
 * whole minutes, so every instant of a minute has the same date (and "now" hits the cache too).
 */
export function dateIn(ms: number, zone: string): string {
  let byMinute = dateCache.get(zone);
  if (!byMinute) dateCache.set(zone, (byMinute = new Map()));
  const minute = Math.floor(ms / 60_000);
  let date = byMinute.get(minute);
  if (date === undefined) {
    date = DateTime.fromMillis(minute * 60_000, { zone }).toISODate() ?? '';
    if (byMinute.size >= DATE_CACHE_LIMIT) byMinute.clear();
    byMinute.set(minute, date);
  }
  return date;
}

/** The calendar month (YYYY-MM) of an instant in the program zone. */
export function monthIn(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM');
}

/** The calendar date after a date (YYYY-MM-DD). */
export function nextDate(date: string): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toISODate() ?? '';
}

const daysCache = new Map<string, number>();

/** A calendar date moved by whole days (YYYY-MM-DD in, YYYY-MM-DD out). */
export function shiftDate(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate() ?? '';
}

/** Whole calendar days from one date to another (both YYYY-MM-DD), immune to DST. */
export function daysBetween(from: string, to: string): number {
  const key = `${from}/${to}`;
  let days = daysCache.get(key);
  if (days === undefined) {
    days = Math.round(DateTime.fromISO(to, { zone: 'utc' }).diff(DateTime.fromISO(from, { zone: 'utc' }), 'days').days);
    if (daysCache.size >= DATE_CACHE_LIMIT) daysCache.clear();
    daysCache.set(key, days);
  }
  return days;
}

/** A point in time given as an instant, or as a date meaning the end of that day in the program zone. */
export function parseWhen(text: string, zone: string): number | null {
  if (isIsoDate(text)) return endOfDate(text, zone);
  return parseInstant(text);
}

export function addDays(ms: number, days: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).plus({ days }).toMillis();
}

export interface MembershipYear {
  /** Anniversaries since the sign-up: 0 for the year that starts on the sign-up date. */
  readonly index: number;
  /**
   * The year as people count it: 1 for the year that starts on the sign-up date. The one number shown
   * anywhere (status card, tab, CLI history) and given in JSON (CLI status, tab API).
   */
  readonly number: number;
  /** First instant of the year: the anniversary at 00:00 program time. */
  readonly start: number;
  /** First instant of the next year. */
  readonly end: number;
  readonly startDate: string;
  readonly endDate: string;
}

/**
 * The date of anniversary k: sign-up date plus k years. Luxon clamps 29 February to 28 February in
 * years without one, and counting from the sign-up date each time keeps 29 February in leap years.
 */
export function anniversaryDate(signedUpAt: string, k: number): string {
  return DateTime.fromISO(signedUpAt, { zone: 'utc' }).plus({ years: k }).toISODate() ?? '';
}

// Membership years are asked for on every credit and status query; luxon's zone math is the cost,
// so each (zone, sign-up date, index) is computed once. A cache of pure results: no clock, no I/O.
const yearCache = new Map<string, Map<string, MembershipYear[]>>();
const YEAR_CACHE_LIMIT = 50_000;

export function membershipYear(signedUpAt: string, index: number, zone: string): MembershipYear {
  let byDate = yearCache.get(zone);
  if (!byDate) yearCache.set(zone, (byDate = new Map()));
  let years = byDate.get(signedUpAt);
  const cached = years?.[index];
  if (cached) return cached;
  const startDate = anniversaryDate(signedUpAt, index);
  const endDate = anniversaryDate(signedUpAt, index + 1);
  const year = Object.freeze({ index, number: index + 1, start: startOfDate(startDate, zone), end: startOfDate(endDate, zone), startDate, endDate });
  if (!years) {
    if (byDate.size >= YEAR_CACHE_LIMIT) byDate.clear();
    byDate.set(signedUpAt, (years = []));
  }
  years[index] = year;
  return year;
}

/** The membership year holding an instant, or null before the sign-up. */
export function membershipYearAt(signedUpAt: string, ms: number, zone: string): MembershipYear | null {
  let year = membershipYear(signedUpAt, 0, zone);
  if (ms < year.start) return null;
  // Start one year early (time zones differ from UTC by less than a year) and step forward.
  let index = Math.max(0, new Date(ms).getUTCFullYear() - Number(signedUpAt.slice(0, 4)) - 1);
  year = membershipYear(signedUpAt, index, zone);
  while (ms >= year.end) {
    index += 1;
    year = membershipYear(signedUpAt, index, zone);
  }
  return year;
}
