// The administrator's exports: what each one holds, row by row, and how a request for one is checked.
// Pure: the rows read an ExportView (the store's State is one), as leaderboard() reads its view, so
// they live in core and are tested on a State built in memory; every instant is an argument.
// Rows are produced one at a time (generators), so an export never holds all its rows at once; only
// the leaderboards are computed whole first, because a rank needs every member's points.
import type { Catalog } from './catalog.js';
import { PARTNER_TRACKS } from './catalog.js';
import type { Claim } from './claims.js';
import { leaderboard, type LeaderboardPeriod, type LeaderboardView } from './leaderboard.js';
import type { LedgerEntry, Member } from './ledger.js';
import { memberStatus } from './lifecycle.js';
import type { Partner } from './partner-records.js';
import { partnerStatus, type PartnerStatusInput } from './partners.js';
import { refuse, type Problem, type Result } from './result.js';
import { dateIn, endOfDate, isIsoDate, membershipYear, parseInstant, startOfDate } from './time.js';
import { indexAfter, type Timeline } from './timeline.js';

export const EXPORT_KINDS = ['statuses', 'ledger', 'claims', 'leaderboard', 'partners'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * One cell: text, a number, a list (of ids, dates or emails), or null for none. Only text can come from
 * people (names, reasons, links): numbers are ours, so a CSV writes them as they are.
 */
export type Cell = string | number | null | readonly string[];
export type Row = Readonly<Record<string, Cell>>;

export interface ExportTable {
  /** The column names, in order: the CSV header and the keys of each JSON line. */
  columns: readonly string[];
  /** How many rows `rows` yields, known before the first one (for progress). */
  total: number;
  rows: Iterable<Row>;
}

/** What the exports read; the store's State provides it. */
export interface ExportView extends LeaderboardView {
  readonly claims: ReadonlyMap<string, Claim>;
  readonly partners: ReadonlyMap<string, Partner>;
  entriesOf(memberId: string): Timeline;
  member(id: string): Member | undefined;
  entry(id: string): LedgerEntry | undefined;
  reversalOf(entryId: string): LedgerEntry | undefined;
  partnerInput(partnerId: string): PartnerStatusInput | undefined;
}

// ---------------------------------------------------------------------------------------------
// Requests: what an administrator asks for, as text (CLI flags, a download's query string).

export interface ExportRequest {
  kind: string;
  format?: string | undefined;
  at?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  period?: string | undefined;
}

/** A checked request: instants in epoch milliseconds, defaults filled in. */
export type ExportQuery =
  | { kind: 'statuses' | 'partners'; format: ExportFormat; at: number }
  | { kind: 'ledger' | 'claims'; format: ExportFormat; from: number; to: number }
  | { kind: 'leaderboard'; format: ExportFormat; at: number; periods: readonly LeaderboardPeriod[] };

export type ExportRefusal = 'UNKNOWN_EXPORT' | 'UNKNOWN_FORMAT' | 'BAD_WHEN' | 'BAD_RANGE' | 'BAD_PERIOD' | 'OPTION_NOT_VALID';

const OPTIONS: Record<ExportKind, readonly ('at' | 'from' | 'to' | 'period')[]> = {
  statuses: ['at'],
  ledger: ['from', 'to'],
  claims: ['from', 'to'],
  leaderboard: ['at', 'period'],
  partners: ['at'],
};

/** The start of time for a range without --from (the earliest instant a Date holds). */
const EARLIEST = -8.64e15;

const isOneOf = <T extends string>(list: readonly T[], value: string): value is T => (list as readonly string[]).includes(value);

/**
 * A date or an instant with an offset. A date is a whole day in the program zone: `from` starts at its
 * 00:00, `at` and `to` end at its last millisecond (as the CLI's --at does everywhere).
 */
function instantOf(text: string, edge: 'start' | 'end', zone: string): number | null {
  if (isIsoDate(text)) return edge === 'start' ? startOfDate(text, zone) : endOfDate(text, zone);
  return parseInstant(text);
}

/** How a refusal names an option: a CLI flag by default, a query parameter for a download. */
export type OptionName = (option: 'at' | 'from' | 'to' | 'period') => string;
const flag: OptionName = (option) => `--${option}`;

/** Checks a request into a query; `now` fills in a missing `at` or `to`. */
export function checkExportRequest(catalog: Catalog, request: ExportRequest, now: number, name: OptionName = flag): Result<ExportQuery, Problem<ExportRefusal>> {
  const { kind } = request;
  if (!isOneOf(EXPORT_KINDS, kind)) return refuse('UNKNOWN_EXPORT', `the export must be ${EXPORT_KINDS.join(', ')}, not "${kind}"`);
  const format = request.format ?? 'csv';
  if (!isOneOf(EXPORT_FORMATS, format)) return refuse('UNKNOWN_FORMAT', `the format must be ${EXPORT_FORMATS.join(' or ')}, not "${format}"`);
  const allowed = OPTIONS[kind];
  for (const option of ['at', 'from', 'to', 'period'] as const) {
    if (request[option] !== undefined && !allowed.includes(option)) {
      return refuse('OPTION_NOT_VALID', `${name(option)} does not apply to the ${kind} export (it takes ${allowed.map(name).join(', ')})`);
    }
  }
  const zone = catalog.timeZone;
  const when = (option: 'at' | 'from' | 'to', edge: 'start' | 'end', fallback: number): Result<number, Problem<'BAD_WHEN'>> => {
    const text = request[option];
    if (text === undefined) return { ok: true, value: fallback };
    const ms = instantOf(text, edge, zone);
    if (ms === null) return refuse('BAD_WHEN', `${name(option)} must be a date YYYY-MM-DD or an ISO-8601 instant with Z or an offset, not "${text}"`);
    return { ok: true, value: ms };
  };
  if (kind === 'ledger' || kind === 'claims') {
    const from = when('from', 'start', EARLIEST);
    if (!from.ok) return from;
    const to = when('to', 'end', now);
    if (!to.ok) return to;
    if (from.value > to.value) return refuse('BAD_RANGE', `${name('from')} (${request.from}) comes after ${name('to')} (${request.to ?? 'now'})`);
    return { ok: true, value: { kind, format, from: from.value, to: to.value } };
  }
  const at = when('at', 'end', now);
  if (!at.ok) return at;
  if (kind !== 'leaderboard') return { ok: true, value: { kind, format, at: at.value } };
  const { period } = request;
  if (period !== undefined && period !== 'month' && period !== 'year') return refuse('BAD_PERIOD', `${name('period')} must be month or year, not "${period}"`);
  return { ok: true, value: { kind, format, at: at.value, periods: period === undefined ? ['month', 'year'] : [period] } };
}

/** A file name for the export, e.g. ledger-2026-01-01-to-2026-11-23.csv (dates in the program zone). */
export function exportFileName(catalog: Catalog, query: ExportQuery): string {
  const day = (ms: number) => dateIn(ms, catalog.timeZone);
  const span = 'from' in query ? `${query.from === EARLIEST ? 'start' : day(query.from)}-to-${day(query.to)}` : day(query.at);
  return `${query.kind}-${span}.${query.format}`;
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/jsonl; charset=utf-8',
};

/** The rows a checked query asks for. */
export function exportTable(view: ExportView, catalog: Catalog, query: ExportQuery): ExportTable {
  switch (query.kind) {
    case 'statuses':
      return statusesTable(view, catalog, query.at);
    case 'ledger':
      return ledgerTable(view, query.from, query.to);
    case 'claims':
      return claimsTable(view, query.from, query.to);
    case 'leaderboard':
      return leaderboardTable(view, catalog, query.at, query.periods);
    case 'partners':
      return partnersTable(view, catalog, query.at);
  }
}

// ---------------------------------------------------------------------------------------------
// Statuses at an instant: one row per member enrolled then, in the order they were enrolled.

export const STATUS_COLUMNS = [
  'memberId',
  'name',
  'email',
  'signedUpAt',
  'membershipYear',
  'level',
  'carriedLevel',
  'pointsThisYear',
  'renewalDate',
  'pointsToKeep',
] as const;

function statusesTable(view: ExportView, catalog: Catalog, at: number): ExportTable {
  const zone = catalog.timeZone;
  // A member who signs up after the instant was not enrolled then: no row, as no status.
  const enrolled = (member: Member) => membershipYear(member.signedUpAt, 0, zone).start <= at;
  let total = 0;
  for (const member of view.members.values()) if (enrolled(member)) total += 1;
  function* rows(): Generator<Row> {
    for (const member of view.members.values()) {
      if (!enrolled(member)) continue;
      const report = memberStatus(catalog, member, view.entriesOf(member.id), at);
      if (!report) continue;
      yield {
        memberId: member.id,
        name: member.name,
        email: member.email,
        signedUpAt: member.signedUpAt,
        membershipYear: report.year.number,
        level: report.status,
        carriedLevel: report.carried,
        pointsThisYear: report.points,
        renewalDate: report.year.endDate,
        // Without a level there is nothing to keep: an empty cell, not 0.
        pointsToKeep: report.status === null ? null : report.toKeepStatus,
      };
    }
  }
  return { columns: STATUS_COLUMNS, total, rows: rows() };
}

// ---------------------------------------------------------------------------------------------
// The ledger in [from, to], oldest first over all members.

export const LEDGER_COLUMNS = [
  'entryId',
  'memberId',
  'memberName',
  'action',
  'points',
  'at',
  'source',
  'actor',
  'reason',
  'note',
  'evidence',
  'reverses',
  'reversedBy',
] as const;

/** Where the merge stands in one member's timeline. */
interface Cursor {
  readonly member: Member;
  line: Timeline;
  times: readonly number[];
  /** The next entry to give, its index and its instant. */
  entry: LedgerEntry;
  i: number;
  at: number;
  /** One past the last entry in the range. */
  end: number;
  /** The member's place in the store, to order entries of one instant across members. */
  order: number;
}

const before = (a: Cursor, b: Cursor) => a.at - b.at || a.order - b.order;

/** A binary min-heap of cursors: the member whose next entry comes first is on top. */
class CursorHeap {
  readonly items: Cursor[] = [];
  push(cursor: Cursor): void {
    const { items } = this;
    items.push(cursor);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(items[parent]!, cursor) <= 0) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = cursor;
  }
  /** Moves the top down to its place after its cursor has advanced. */
  settle(): void {
    const { items } = this;
    const top = items[0]!;
    const n = items.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(items[right]!, items[left]!) < 0 ? right : left;
      if (before(items[child]!, top) >= 0) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = top;
  }
  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length === 0) return;
    this.items[0] = last;
    this.settle();
  }
}

/**
 * Every entry credited in [from, to] with its member, by instant (of one instant: members in store
 * order, each member's entries in the order written). Each member's entries are already a timeline, so
 * this merges them as they are, holding one cursor per member instead of a sorted copy of the ledger.
 * The same cursor object is yielded again and again (no allocation per entry): read it before the next.
 */
export function* entriesInRange(view: Pick<ExportView, 'members' | 'entriesOf'>, from: number, to: number): Generator<Pick<Cursor, 'member' | 'entry'>> {
  const heap = new CursorHeap();
  let order = 0;
  for (const member of view.members.values()) {
    const line = view.entriesOf(member.id);
    const { times } = line;
    // Instants are whole milliseconds: the first entry after from - 1 is the first at or after from.
    const i = indexAfter(times, from - 1);
    const end = indexAfter(times, to);
    if (i < end) heap.push({ member, line, times, entry: line[i]!, i, at: times[i]!, end, order: (order += 1) });
  }
  const { items } = heap;
  while (items.length > 0) {
    const top = items[0]!;
    yield top;
    top.i += 1;
    if (top.i < top.end) {
      top.entry = top.line[top.i]!;
      top.at = top.times[top.i]!;
      heap.settle();
    } else heap.pop();
  }
}

function countInRange(view: ExportView, from: number, to: number): number {
  let total = 0;
  for (const member of view.members.values()) {
    const { times } = view.entriesOf(member.id);
    total += indexAfter(times, to) - indexAfter(times, from - 1);
  }
  return total;
}

function ledgerTable(view: ExportView, from: number, to: number): ExportTable {
  function* rows(): Generator<Row> {
    for (const { member, entry } of entriesInRange(view, from, to)) {
      const reversal = view.reversalOf(entry.id);
      yield {
        entryId: entry.id,
        memberId: entry.memberId,
        memberName: member.name,
        action: entry.action,
        points: entry.points,
        at: entry.at,
        source: entry.source,
        actor: entry.by,
        reason: entry.reason ?? null,
        note: entry.note ?? null,
        evidence: entry.evidence ?? null,
        reverses: entry.reverses ?? null,
        // As the ledger stood at the end of the range: exporting a past range again gives the same file.
        reversedBy: reversal !== undefined && Date.parse(reversal.at) <= to ? reversal.id : null,
      };
    }
  }
  return { columns: LEDGER_COLUMNS, total: countInRange(view, from, to), rows: rows() };
}

// ---------------------------------------------------------------------------------------------
// Claims submitted in [from, to] with their decisions, in the order they were submitted.

export const CLAIM_COLUMNS = [
  'claimId',
  'kind',
  'memberId',
  'memberName',
  'submittedAt',
  'action',
  'dates',
  'title',
  'role',
  'attendees',
  'evidence',
  'details',
  'status',
  'decidedBy',
  'decidedAt',
  'reason',
  'chosenPoints',
  'days',
  'pointsCredited',
  'credited',
  'notCredited',
] as const;

function claimsTable(view: ExportView, from: number, to: number): ExportTable {
  const inRange = (claim: Claim) => {
    const at = Date.parse(claim.submittedAt);
    return at >= from && at <= to;
  };
  let total = 0;
  for (const claim of view.claims.values()) if (inRange(claim)) total += 1;
  function* rows(): Generator<Row> {
    // The claims map keeps the order claims were first stored (a decision replaces a claim in place).
    for (const claim of view.claims.values()) {
      if (!inRange(claim)) continue;
      const credited = claim.credited ?? [];
      yield {
        claimId: claim.id,
        kind: claim.kind,
        memberId: claim.submittedBy,
        memberName: view.member(claim.submittedBy)?.name ?? null,
        submittedAt: claim.submittedAt,
        action: claim.action,
        dates: claim.dates,
        title: claim.title ?? null,
        role: claim.role ?? null,
        attendees: claim.attendees ?? [],
        evidence: claim.evidence ?? null,
        details: claim.details ?? null,
        status: claim.status,
        decidedBy: claim.decidedBy ?? null,
        decidedAt: claim.decidedAt ?? null,
        reason: claim.reason ?? null,
        chosenPoints: claim.points ?? null,
        days: claim.days ?? null,
        // Everyone the approval credited, together; none for a claim not approved.
        pointsCredited: claim.status === 'approved' ? credited.reduce((sum, id) => sum + (view.entry(id)?.points ?? 0), 0) : null,
        credited,
        notCredited: claim.notCredited ?? [],
      };
    }
  }
  return { columns: CLAIM_COLUMNS, total, rows: rows() };
}

// ---------------------------------------------------------------------------------------------
// The leaderboards of the month and of the year holding the instant, as the bot's /leaderboard ranks them.

export const LEADERBOARD_COLUMNS = ['board', 'period', 'rank', 'memberId', 'name', 'points'] as const;

function leaderboardTable(view: ExportView, catalog: Catalog, at: number, periods: readonly LeaderboardPeriod[]): ExportTable {
  const boards = periods.map((period) => ({ period, board: leaderboard(view, period, at, catalog.timeZone) }));
  function* rows(): Generator<Row> {
    for (const { period, board } of boards) {
      for (let i = 0; i < board.standings.length; i += 1) {
        const { member, points } = board.standings[i]!;
        yield { board: period, period: board.period, rank: i + 1, memberId: member.id, name: member.name, points };
      }
    }
  }
  return { columns: LEADERBOARD_COLUMNS, total: boards.reduce((sum, b) => sum + b.board.standings.length, 0), rows: rows() };
}

// ---------------------------------------------------------------------------------------------
// Partner credits per track at an instant: two rows per partner (technical, business).

export const PARTNER_COLUMNS = [
  'partnerId',
  'name',
  'year',
  'track',
  'credits',
  'level',
  'levelFrom',
  'levelValidUntil',
  'reachedThisYear',
  'nextLevel',
  'creditsToNextLevel',
  'creditsToKeepLevel',
  'partnerLevel',
  'discountPercent',
] as const;

function partnersTable(view: ExportView, catalog: Catalog, at: number): ExportTable {
  function* rows(): Generator<Row> {
    for (const partner of view.partners.values()) {
      const input = view.partnerInput(partner.id);
      if (!input) continue;
      const status = partnerStatus(catalog, input, at);
      for (const track of PARTNER_TRACKS) {
        const t = status.tracks[track];
        yield {
          partnerId: partner.id,
          name: partner.name,
          year: status.year,
          track,
          credits: t.credits,
          level: t.level,
          levelFrom: t.levelFrom,
          levelValidUntil: t.levelValidUntil,
          reachedThisYear: t.reachedThisYear,
          nextLevel: t.nextLevel,
          creditsToNextLevel: t.creditsToNextLevel,
          creditsToKeepLevel: t.creditsToKeepLevel,
          partnerLevel: status.level,
          discountPercent: status.discountPercent,
        };
      }
    }
  }
  return { columns: PARTNER_COLUMNS, total: view.partners.size * PARTNER_TRACKS.length, rows: rows() };
}
