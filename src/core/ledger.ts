// Crediting: turns a request into immutable ledger entries, by the catalog's rule kinds. Pure.
import type { ActionRule, Catalog } from './catalog.js';
import { choosesPoints } from './chosen-inputs.js';
import { refuse, type Problem, type Result } from './result.js';
import { addDays, dateIn, isIsoDate, membershipYearAt, monthIn, parseInstant, startOfDate, toUtcIso } from './time.js';

export type { Problem, Result } from './result.js';

export type Source = 'bot' | 'import' | 'api' | 'admin';

export interface Member {
  id: string;
  email: string;
  name: string;
  signedUpAt: string;
  partnerId?: string;
}

export interface EntryInputs {
  points?: number;
  days?: number;
  attendees?: number;
  releasedAt?: string;
}

export interface LedgerEntry {
  id: string;
  memberId: string;
  action: string;
  /** ISO-8601 UTC instant the points were credited. */
  at: string;
  points: number;
  inputs: EntryInputs;
  source: Source;
  by: string;
  edition: string;
  note?: string;
  evidence?: string;
  /** Why fewer points than the rule's figure were credited (a monthly cap). */
  reason?: string;
  /** Set on a reversal: the entry it cancels. */
  reverses?: string;
  /** Set on an automatic bonus: the entry that earned it. */
  bonusFor?: string;
}

/** What crediting needs to know about the member's existing ledger. */
export interface MemberLedger {
  member: Member;
  entries: readonly LedgerEntry[];
  isReversed(entryId: string): boolean;
}

export interface CreditRequest {
  id: string;
  action: string;
  at: number;
  inputs: EntryInputs;
  source: Source;
  by: string;
  note?: string;
  evidence?: string;
}

export const MAX_DAYS = 31;
export const MAX_ATTENDEES = 1000;

type InputName = keyof EntryInputs;

function acceptedInputs(rule: ActionRule): InputName[] {
  switch (rule.kind) {
    case 'fixed':
      return rule.bonus ? ['releasedAt'] : [];
    case 'range':
      return ['points'];
    case 'per-day':
      return ['days'];
    case 'split':
      return ['attendees', ...(choosesPoints(rule) ? (['points'] as const) : []), ...(rule.perDay ? (['days'] as const) : [])];
    case 'bonus':
      return [];
  }
}

function wholeIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function checkInputs(rule: ActionRule, inputs: EntryInputs): Problem | null {
  const accepted = acceptedInputs(rule);
  for (const name of Object.keys(inputs) as InputName[]) {
    if (inputs[name] !== undefined && !accepted.includes(name)) {
      return { code: 'UNEXPECTED_INPUT', message: `${rule.id} does not take "${name}"${accepted.length ? ` (it takes ${accepted.join(', ')})` : ''}` };
    }
  }
  const range = choosesPoints(rule) ? rule : null;
  if (range && range.min !== undefined && range.max !== undefined && !wholeIn(inputs.points, range.min, range.max)) {
    return {
      code: inputs.points === undefined ? 'MISSING_INPUT' : 'OUT_OF_RANGE',
      message: `${rule.id} needs "points", a whole number from ${range.min} to ${range.max}${inputs.points === undefined ? '' : ` (got ${inputs.points})`}`,
    };
  }
  if (accepted.includes('days') && !wholeIn(inputs.days, 1, MAX_DAYS)) {
    return {
      code: inputs.days === undefined ? 'MISSING_INPUT' : 'OUT_OF_RANGE',
      message: `${rule.id} needs "days", a whole number from 1 to ${MAX_DAYS}${inputs.days === undefined ? '' : ` (got ${inputs.days})`}`,
    };
  }
  if (accepted.includes('attendees') && !wholeIn(inputs.attendees, 1, MAX_ATTENDEES)) {
    return {
      code: inputs.attendees === undefined ? 'MISSING_INPUT' : 'OUT_OF_RANGE',
      message: `${rule.id} needs "attendees", a whole number from 1 to ${MAX_ATTENDEES}${inputs.attendees === undefined ? '' : ` (got ${inputs.attendees})`}`,
    };
  }
  return null;
}

/** Points before any cap, from the rule and the checked inputs. */
function basePoints(rule: ActionRule, inputs: EntryInputs): number {
  switch (rule.kind) {
    case 'fixed':
    case 'bonus':
      return rule.points;
    case 'range':
      return inputs.points ?? 0;
    case 'per-day':
      return rule.points * (inputs.days ?? 0);
    case 'split': {
      const pool = (rule.points ?? inputs.points ?? 0) * (rule.perDay ? inputs.days ?? 0 : 1);
      return Math.floor(pool / (inputs.attendees ?? 1));
    }
  }
}

const live = (ledger: MemberLedger, action: string) => (e: LedgerEntry) =>
  e.action === action && e.reverses === undefined && !ledger.isReversed(e.id);

/**
 * Computes the entries a credit creates: the entry itself and, where its rule has a bonus whose
 * condition holds, the bonus entry (id "<id>+bonus"). Refuses with a problem; never throws.
 */
export function credit(catalog: Catalog, ledger: MemberLedger, request: CreditRequest): Result<LedgerEntry[]> {
  const rule = catalog.byId.get(request.action);
  if (!rule) return refuse('UNKNOWN_ACTION', `unknown action "${request.action}"`);
  if (rule.kind === 'bonus') return refuse('AUTOMATIC_ACTION', `${rule.id} is credited automatically and cannot be credited by hand`);
  const zone = catalog.timeZone;
  const { member } = ledger;
  const year = membershipYearAt(member.signedUpAt, request.at, zone);
  if (!year) {
    return refuse('BEFORE_SIGN_UP', `${toUtcIso(request.at)} is before ${member.name}'s sign-up on ${member.signedUpAt}`);
  }
  const inputProblem = checkInputs(rule, request.inputs);
  if (inputProblem) return { ok: false, problem: inputProblem };
  if (rule.proofRequired && !request.evidence) {
    return refuse('MISSING_PROOF', `${rule.id} needs proof: an "evidence" link to the signed attendance sheet`);
  }

  let points = basePoints(rule, request.inputs);
  let reason: string | undefined;
  if (rule.kind === 'fixed' && rule.oncePerYear) {
    const earlier = ledger.entries.find((e) => live(ledger, rule.id)(e) && inYear(e, year.start, year.end));
    if (earlier) {
      return refuse(
        'ONCE_A_YEAR',
        `${rule.id} counts once per membership year and was already credited on ${dateIn(Date.parse(earlier.at), zone)} (entry ${earlier.id}); it can be credited again from ${year.endDate}`,
      );
    }
  }
  if (rule.kind === 'fixed' && rule.monthlyCap !== undefined) {
    const month = monthIn(request.at, zone);
    const used = ledger.entries
      .filter((e) => live(ledger, rule.id)(e) && monthIn(Date.parse(e.at), zone) === month)
      .reduce((sum, e) => sum + e.points, 0);
    const allowed = Math.max(0, Math.min(points, rule.monthlyCap - used));
    if (allowed < points) {
      reason = `monthly cap of ${rule.monthlyCap} for ${rule.id} in ${month}: ${allowed} of ${points} credited`;
      points = allowed;
    }
  }

  const at = toUtcIso(request.at);
  const entry: LedgerEntry = {
    id: request.id,
    memberId: member.id,
    action: rule.id,
    at,
    points,
    inputs: request.inputs,
    source: request.source,
    by: request.by,
    edition: catalog.edition,
    ...(request.note !== undefined && { note: request.note }),
    ...(request.evidence !== undefined && { evidence: request.evidence }),
    ...(reason !== undefined && { reason }),
  };
  const entries = [entry];

  if (rule.kind === 'fixed' && rule.bonus && request.inputs.releasedAt !== undefined) {
    const releaseInstant = parseRelease(request.inputs.releasedAt, zone);
    if (releaseInstant === null) {
      return refuse('BAD_DATE', `"releasedAt" must be a date YYYY-MM-DD or an instant with an offset (got "${request.inputs.releasedAt}")`);
    }
    if (releaseInstant > request.at) {
      return refuse('BAD_DATE', `${rule.id} cannot be completed (${at}) before its release (${request.inputs.releasedAt})`);
    }
    const bonusRule = catalog.byId.get(rule.bonus.action);
    if (bonusRule && bonusRule.kind === 'bonus' && request.at <= addDays(releaseInstant, rule.bonus.withinDays, zone)) {
      entries.push({
        id: `${request.id}+bonus`,
        memberId: member.id,
        action: bonusRule.id,
        at,
        points: bonusRule.points,
        inputs: {},
        source: request.source,
        by: request.by,
        edition: catalog.edition,
        bonusFor: request.id,
      });
    }
  }
  return { ok: true, value: entries };
}

/** A release given as a date means 00:00 of that day in the program zone. */
function parseRelease(text: string, zone: string): number | null {
  return isIsoDate(text) ? startOfDate(text, zone) : parseInstant(text);
}

function inYear(entry: LedgerEntry, start: number, end: number): boolean {
  const at = Date.parse(entry.at);
  return at >= start && at < end;
}

export interface ReversalRequest {
  id: string;
  at: number;
  source: Source;
  by: string;
  note?: string;
}

/**
 * Cancels an entry with one of opposite points, and the bonus it earned if that still stands
 * (id "<id>+bonus"). An entry is reversed once; a reversal is never reversed.
 */
export function reverse(catalog: Catalog, ledger: MemberLedger, target: LedgerEntry, request: ReversalRequest): Result<LedgerEntry[]> {
  if (target.reverses !== undefined) return refuse('REVERSAL_OF_REVERSAL', `${target.id} is itself a reversal and cannot be reversed`);
  if (ledger.isReversed(target.id)) return refuse('ALREADY_REVERSED', `${target.id} was already reversed`);
  if (request.at < Date.parse(target.at)) {
    return refuse('BAD_DATE', `the reversal (${toUtcIso(request.at)}) cannot come before the entry it reverses (${target.at})`);
  }
  const make = (id: string, of: LedgerEntry): LedgerEntry => ({
    id,
    memberId: of.memberId,
    action: of.action,
    at: toUtcIso(request.at),
    points: 0 - of.points, // never -0
    inputs: {},
    source: request.source,
    by: request.by,
    edition: catalog.edition,
    reverses: of.id,
    ...(request.note !== undefined && { note: request.note }),
  });
  const entries = [make(request.id, target)];
  for (const bonus of ledger.entries) {
    if (bonus.bonusFor === target.id && !ledger.isReversed(bonus.id)) entries.push(make(`${request.id}+bonus`, bonus));
  }
  return { ok: true, value: entries };
}
