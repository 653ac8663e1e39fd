// Self-service claims and their review (PROGRAM.md section 3). Pure: the instant is an argument.
import { z } from 'zod';
import type { Catalog } from './catalog.js';
import { choosesDays, choosesPoints } from './chosen-inputs.js';
import { credit, MAX_DAYS, type LedgerEntry, type Member } from './ledger.js';
import type { ClaimDecisionNotice } from './notices.js';
import { findMember, memberLedger, type LedgerView } from './records.js';
import type { Problem, Result } from './result.js';
import { dateIn, isIsoDate, nextDate, toUtcIso } from './time.js';

export type ClaimStatus = 'pending' | 'approved' | 'rejected';

export interface Claim {
  id: string;
  kind: 'action' | 'attendance';
  /** The member who submitted it (their AAD object id). */
  submittedBy: string;
  submittedAt: string;
  action: string;
  /** The day(s) of the activity, YYYY-MM-DD. */
  dates: string[];
  evidence?: string;
  details?: string;
  /** Attendance only: the session's title, the submitter's role and the other people who attended. */
  title?: string;
  role?: 'trainer' | 'participant';
  attendees?: string[];
  status: ClaimStatus;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
  /** The reviewer's choice for range rules, and days for per-day rules. */
  points?: number;
  days?: number;
  credited?: string[];
  /** Attendance: the people listed who are not enrolled, so were credited nothing. */
  notCredited?: string[];
}

export interface Preferences {
  /** The member id. */
  id: string;
  leaderboardOptOut?: boolean;
  /** Renewal reminders turned off (promotions, outcomes and claim decisions still arrive). */
  notificationsOff?: boolean;
}

/** Per-field problems, shown next to the inputs of the card. */
export type FieldErrors = Record<string, string>;
export type ClaimCheck<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

const MAX_ATTENDEES_LISTED = 50;
const email = z.email();
const link = z.url({ protocol: /^https?$/ });

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function checkDate(value: string, today: string, signedUpAt: string): string | null {
  if (!isIsoDate(value)) return `"${value}" is not a date (YYYY-MM-DD)`;
  if (value > today) return `${value} is in the future`;
  if (value < signedUpAt) return `${value} is before your sign-up on ${signedUpAt}`;
  return null;
}

function checkLink(value: string): string | null {
  return link.safeParse(value).success ? null : 'must be a web link starting with https:// or http://';
}

export interface ClaimInput {
  id: string;
  submittedBy: Member;
  at: number;
  fields: Record<string, unknown>;
}

/** Checks the claim card's inputs (action, date, evidence link, details) into a pending claim. */
export function checkActionClaim(catalog: Catalog, input: ClaimInput): ClaimCheck<Claim> {
  const errors: FieldErrors = {};
  const f = input.fields;
  const today = dateIn(input.at, catalog.timeZone);
  const action = text(f.action);
  const rule = catalog.byId.get(action);
  if (!rule) errors.action = 'choose an action from the list';
  else if (rule.kind === 'bonus') errors.action = 'this bonus is credited automatically';
  const date = text(f.date);
  const dateProblem = checkDate(date, today, input.submittedBy.signedUpAt);
  if (dateProblem) errors.date = dateProblem;
  const evidence = text(f.evidence);
  if (evidence && checkLink(evidence)) errors.evidence = checkLink(evidence)!;
  if (!evidence && rule?.proofRequired) errors.evidence = 'this action needs proof: a link to the signed attendance sheet';
  const details = text(f.details);
  if (details.length > 1000) errors.details = 'at most 1,000 characters';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      id: input.id,
      kind: 'action',
      submittedBy: input.submittedBy.id,
      submittedAt: toUtcIso(input.at),
      action,
      dates: [date],
      ...(evidence && { evidence }),
      ...(details && { details }),
      status: 'pending',
    },
  };
}

/** Days given as a range (from, to: consecutive days) or as a list of dates separated by commas. */
function attendanceDates(f: Record<string, unknown>, today: string, signedUpAt: string, errors: FieldErrors): string[] {
  const list = text(f.dates);
  const from = text(f.from);
  const to = text(f.to) || from;
  let dates: string[] = [];
  if (list) {
    dates = [...new Set(list.split(/[\s,;]+/).filter(Boolean))].sort();
  } else if (from) {
    for (let day = from; isIsoDate(day) && isIsoDate(to) && day <= to && dates.length <= MAX_DAYS; day = nextDate(day)) dates.push(day);
    if (dates.length === 0) errors.from = isIsoDate(from) && isIsoDate(to) ? 'the last day comes before the first' : 'give the first and last day as dates (YYYY-MM-DD)';
  } else {
    errors.from = 'give the first and last day, or a list of dates';
  }
  for (const day of dates) {
    const problem = checkDate(day, today, signedUpAt);
    if (problem) errors[list ? 'dates' : 'from'] = problem;
  }
  if (dates.length > MAX_DAYS) errors[list ? 'dates' : 'from'] = `at most ${MAX_DAYS} days`;
  return dates;
}

/** Checks the training attendance card (PROGRAM.md section 3) into a pending claim. */
export function checkAttendanceClaim(catalog: Catalog, input: ClaimInput): ClaimCheck<Claim> {
  const errors: FieldErrors = {};
  const f = input.fields;
  const today = dateIn(input.at, catalog.timeZone);
  const title = text(f.title);
  if (!title) errors.title = 'give the title of the training or event';
  else if (title.length > 200) errors.title = 'at most 200 characters';
  const kind = text(f.kind);
  if (kind !== 'event' && kind !== 'internal') errors.kind = 'choose an on-site training or event, or an internal session';
  const role = text(f.role);
  if (role !== 'trainer' && role !== 'participant') errors.role = 'choose trainer or participant';
  const dates = attendanceDates(f, today, input.submittedBy.signedUpAt, errors);
  const attendees = [...new Set(text(f.attendees).toLowerCase().split(/[\s,;]+/).filter(Boolean))].filter(
    (address) => address !== input.submittedBy.email,
  );
  const bad = attendees.filter((address) => !email.safeParse(address).success);
  if (bad.length > 0) errors.attendees = `not an email address: ${bad.slice(0, 3).join(', ')}`;
  else if (attendees.length > MAX_ATTENDEES_LISTED) errors.attendees = `at most ${MAX_ATTENDEES_LISTED} people`;
  const evidence = text(f.evidence);
  if (evidence && checkLink(evidence)) errors.evidence = checkLink(evidence)!;
  if (!evidence && kind === 'internal') errors.evidence = 'an internal session needs the link to the signed attendance sheet';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      id: input.id,
      kind: 'attendance',
      submittedBy: input.submittedBy.id,
      submittedAt: toUtcIso(input.at),
      action: kind === 'internal' ? 'training.internal' : 'training.event',
      dates,
      title,
      role: role as 'trainer' | 'participant',
      attendees,
      ...(evidence && { evidence }),
      status: 'pending',
    },
  };
}

export interface Decision {
  reviewer: string;
  at: number;
  points?: number;
  days?: number;
}

export interface Approval {
  claim: Claim;
  entries: LedgerEntry[];
  notifications: ClaimDecisionNotice[];
  /** Attendance: emails of listed people who are not enrolled. */
  notCredited: string[];
}

export const isPending = (claim: Claim): boolean => claim.status === 'pending';

/**
 * The claims waiting for review, oldest first (the review queue); with a member id, only theirs.
 * submittedAt is a UTC instant in one format, so its text sorts as its time.
 */
export function pendingClaims(claims: Iterable<Claim>, submittedBy?: string): Claim[] {
  const pending: Claim[] = [];
  for (const claim of claims) if (isPending(claim) && (submittedBy === undefined || claim.submittedBy === submittedBy)) pending.push(claim);
  return pending.sort((a, b) => (a.submittedAt < b.submittedAt ? -1 : a.submittedAt > b.submittedAt ? 1 : 0));
}

/** What the reviewer chose, kept only where the claim's rule lets them choose it (days default to the claim's dates). */
export function decisionFor(catalog: Catalog, claim: Claim, reviewer: string, at: number, chosen: { points?: number; days?: number }): Decision {
  const rule = catalog.byId.get(claim.action);
  return {
    reviewer,
    at,
    ...(choosesPoints(rule) && chosen.points !== undefined && { points: chosen.points }),
    ...(choosesDays(rule, claim.kind) && { days: chosen.days ?? claim.dates.length }),
  };
}

export function alreadyDecided(claim: Claim): Problem<'ALREADY_DECIDED'> | null {
  if (isPending(claim)) return null;
  return {
    code: 'ALREADY_DECIDED',
    message: `this claim was already ${claim.status} by ${claim.decidedBy ?? 'an administrator'} on ${claim.decidedAt?.slice(0, 10) ?? '?'}`,
  };
}

function notification(claim: Claim, memberId: string, points: number, at: string): ClaimDecisionNotice {
  return {
    id: `claim-decision:${claim.id}:${memberId}`,
    memberId,
    kind: 'claim-decision',
    createdAt: at,
    delivery: 'pending',
    attempts: 0,
    claimId: claim.id,
    status: claim.status,
    points,
    ...(claim.reason !== undefined && { reason: claim.reason }),
    ...(claim.notCredited?.length && { notCredited: claim.notCredited }),
  };
}

/**
 * Approves a pending claim: credits it at the approval instant (points count in the year they are
 * credited). Attendance credits each listed person who is an enrolled member; the others are named.
 */
export function approveClaim(catalog: Catalog, view: LedgerView, claim: Claim, decision: Decision): Result<Approval> {
  const decided = alreadyDecided(claim);
  if (decided) return { ok: false, problem: decided };
  const submitter = view.member(claim.submittedBy);
  if (!submitter) return { ok: false, problem: { code: 'UNKNOWN_MEMBER', message: 'the member who submitted this claim is no longer enrolled' } };
  const at = toUtcIso(decision.at);
  const people: Member[] = [submitter];
  const notCredited: string[] = [];
  for (const address of claim.attendees ?? []) {
    const member = findMember(view, address);
    if (!member) notCredited.push(address);
    else if (!people.some((p) => p.id === member.id)) people.push(member);
  }
  const inputs =
    claim.kind === 'attendance'
      ? { days: claim.dates.length }
      : {
          ...(decision.points !== undefined && { points: decision.points }),
          ...(decision.days !== undefined && { days: decision.days }),
        };
  const entries: LedgerEntry[] = [];
  for (const person of people) {
    const result = credit(catalog, memberLedger(view, person), {
      id: `${claim.id}.${entries.length + 1}`,
      action: claim.action,
      at: decision.at,
      inputs,
      source: 'bot',
      by: decision.reviewer,
      note: claim.title ?? claim.details ?? `claim ${claim.id}`,
      ...(claim.evidence !== undefined && { evidence: claim.evidence }),
    });
    if (!result.ok) return result;
    entries.push(...result.value);
  }
  const approved: Claim = {
    ...claim,
    status: 'approved',
    decidedBy: decision.reviewer,
    decidedAt: at,
    ...(decision.points !== undefined && { points: decision.points }),
    ...(decision.days !== undefined && { days: decision.days }),
    credited: entries.map((e) => e.id),
    notCredited,
  };
  const pointsOf = (memberId: string) => entries.filter((e) => e.memberId === memberId).reduce((sum, e) => sum + e.points, 0);
  return {
    ok: true,
    value: { claim: approved, entries, notCredited, notifications: people.map((p) => notification(approved, p.id, pointsOf(p.id), at)) },
  };
}

export function rejectClaim(claim: Claim, reviewer: string, reason: string, at: number): Result<{ claim: Claim; notifications: ClaimDecisionNotice[] }> {
  const decided = alreadyDecided(claim);
  if (decided) return { ok: false, problem: decided };
  const why = reason.trim();
  if (!why) return { ok: false, problem: { code: 'MISSING_REASON', message: 'give the member a reason for the rejection' } };
  const rejected: Claim = { ...claim, status: 'rejected', decidedBy: reviewer, decidedAt: toUtcIso(at), reason: why.slice(0, 500) };
  return { ok: true, value: { claim: rejected, notifications: [notification(rejected, claim.submittedBy, 0, rejected.decidedAt!)] } };
}
