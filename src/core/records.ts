// The records an administrator or the community platform sends: validated, then planned against the
// ledger as new, already known (same id, same content: a no-op), or refused. Pure.
import { z } from 'zod';
import type { Catalog } from './catalog.js';
import { credit, reverse, type LedgerEntry, type Member, type MemberLedger, type Source } from './ledger.js';
import { refuse, type Result } from './result.js';
import { isIsoDate, parseInstant } from './time.js';
import { sameJson } from './json.js';

export const recordId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/, 'must be 1 to 128 letters, digits or . _ : @ / - (no spaces)');
/** An ISO-8601 instant with an offset, parsed once to epoch milliseconds. */
export const instant = z.string().transform((text, ctx) => {
  const ms = parseInstant(text);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 instant with Z or an offset, e.g. 2025-03-01T09:30:00Z' });
    return z.NEVER;
  }
  return ms;
});
const date = z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD');
const whole = z.number().int('must be a whole number');

export const memberRecord = z.strictObject({
  type: z.literal('member'),
  id: recordId,
  email: z.email('must be an email address').max(254),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  signedUpAt: date,
  partnerId: recordId.optional(),
});

export const creditRecord = z.strictObject({
  type: z.literal('credit'),
  id: recordId,
  member: z.string().min(1).max(254),
  action: z.string().min(1).max(100),
  at: instant,
  points: whole.optional(),
  days: whole.optional(),
  attendees: whole.optional(),
  releasedAt: z.string().max(40).optional(),
  note: z.string().max(1000).optional(),
  evidence: z.url('must be a link (http or https)').max(2000).optional(),
});

export const reversalRecord = z.strictObject({
  type: z.literal('reversal'),
  id: recordId,
  reverses: z.string().min(1).max(140),
  at: instant,
  note: z.string().max(1000).optional(),
});

export const ledgerRecord = z.discriminatedUnion('type', [memberRecord, creditRecord, reversalRecord], {
  error: (issue) => (issue.code === 'invalid_union' ? 'must be "member", "credit" or "reversal"' : undefined),
});

export type LedgerRecord = z.infer<typeof ledgerRecord>;

/** Validates one record's shape; the problem lists every wrong field. */
export function parseRecord(raw: unknown): Result<LedgerRecord> {
  const parsed = ledgerRecord.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = parsed.error.issues
    .map((issue) => (issue.path.length ? `"${issue.path.join('.')}" ${issue.message}` : issue.message))
    .join('; ');
  return { ok: false, problem: { code: 'INVALID_RECORD', message } };
}

/** Read access to the ledger that planning needs; the store provides it. */
export interface LedgerView {
  member(id: string): Member | undefined;
  memberByEmail(email: string): Member | undefined;
  entry(id: string): LedgerEntry | undefined;
  entriesOf(memberId: string): readonly LedgerEntry[];
  reversalOf(entryId: string): LedgerEntry | undefined;
}

/** What a record adds to the ledger, or `known` when the same record is already there. */
export type RecordPlan = { known: true } | { known: false; member?: Member; entries: LedgerEntry[] };

export interface Origin {
  source: Source;
  by: string;
}

export function findMember(view: LedgerView, ref: string): Member | undefined {
  return view.member(ref) ?? (ref.includes('@') ? view.memberByEmail(ref) : undefined);
}

/** What crediting needs of a member's ledger, read from the view. */
export function memberLedger(view: LedgerView, member: Member): MemberLedger {
  return { member, entries: view.entriesOf(member.id), isReversed: (id: string) => view.reversalOf(id) !== undefined };
}

function planMember(view: LedgerView, record: z.infer<typeof memberRecord>): Result<RecordPlan> {
  const member: Member = {
    id: record.id,
    email: record.email.toLowerCase(),
    name: record.name,
    signedUpAt: record.signedUpAt,
    ...(record.partnerId !== undefined && { partnerId: record.partnerId }),
  };
  const existing = view.member(record.id);
  if (existing) {
    if (sameJson(existing, member)) return { ok: true, value: { known: true } };
    const changed = (Object.keys(member) as (keyof Member)[]).concat(existing.partnerId && !member.partnerId ? ['partnerId'] : []);
    const fields = changed.filter((key) => existing[key] !== member[key]).join(', ');
    return refuse('ID_CONFLICT', `member ${record.id} already exists with a different ${fields}`);
  }
  const owner = view.memberByEmail(member.email);
  if (owner) return refuse('EMAIL_TAKEN', `email ${member.email} already belongs to member ${owner.id}`);
  return { ok: true, value: { known: false, member, entries: [] } };
}

function planCredit(catalog: Catalog, view: LedgerView, record: z.infer<typeof creditRecord>, origin: Origin): Result<RecordPlan> {
  const member = findMember(view, record.member);
  if (!member) return refuse('UNKNOWN_MEMBER', `no member with id or email "${record.member}"`);
  const at = record.at;
  const inputs = {
    ...(record.points !== undefined && { points: record.points }),
    ...(record.days !== undefined && { days: record.days }),
    ...(record.attendees !== undefined && { attendees: record.attendees }),
    ...(record.releasedAt !== undefined && { releasedAt: record.releasedAt }),
  };
  const existing = view.entry(record.id);
  if (existing) {
    const same =
      existing.reverses === undefined &&
      existing.memberId === member.id &&
      existing.action === record.action &&
      Date.parse(existing.at) === at &&
      sameJson(existing.inputs, inputs) &&
      existing.note === record.note &&
      existing.evidence === record.evidence;
    if (same) return { ok: true, value: { known: true } };
    return refuse('ID_CONFLICT', `entry id ${record.id} is already used by a different entry`);
  }
  const result = credit(catalog, memberLedger(view, member), {
    id: record.id,
    action: record.action,
    at,
    inputs,
    ...origin,
    ...(record.note !== undefined && { note: record.note }),
    ...(record.evidence !== undefined && { evidence: record.evidence }),
  });
  return result.ok ? { ok: true, value: { known: false, entries: result.value } } : result;
}

function planReversal(catalog: Catalog, view: LedgerView, record: z.infer<typeof reversalRecord>, origin: Origin): Result<RecordPlan> {
  const at = record.at;
  const existing = view.entry(record.id);
  if (existing) {
    const same = existing.reverses === record.reverses && Date.parse(existing.at) === at && existing.note === record.note;
    if (same) return { ok: true, value: { known: true } };
    return refuse('ID_CONFLICT', `entry id ${record.id} is already used by a different entry`);
  }
  const target = view.entry(record.reverses);
  if (!target) return refuse('UNKNOWN_ENTRY', `no entry with id "${record.reverses}" to reverse`);
  const member = view.member(target.memberId);
  if (!member) return refuse('UNKNOWN_MEMBER', `entry ${target.id} belongs to no known member`);
  const earlier = view.reversalOf(target.id);
  if (earlier) return refuse('ALREADY_REVERSED', `entry ${target.id} was already reversed by ${earlier.id}`);
  const result = reverse(catalog, memberLedger(view, member), target, {
    id: record.id,
    at,
    ...origin,
    ...(record.note !== undefined && { note: record.note }),
  });
  return result.ok ? { ok: true, value: { known: false, entries: result.value } } : result;
}

/** Plans one validated record against the ledger as it stands (earlier records of a batch included). */
export function planRecord(catalog: Catalog, view: LedgerView, record: LedgerRecord, origin: Origin): Result<RecordPlan> {
  const planned =
    record.type === 'member'
      ? planMember(view, record)
      : record.type === 'credit'
        ? planCredit(catalog, view, record, origin)
        : planReversal(catalog, view, record, origin);
  if (!planned.ok || planned.value.known) return planned;
  const clash = planned.value.entries.find((entry) => view.entry(entry.id));
  if (clash) return refuse('ID_CONFLICT', `entry id ${clash.id} is already used`);
  return planned;
}
