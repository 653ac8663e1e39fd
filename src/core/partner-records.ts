// The Partner Program's import records: partners and their activities. Validated, then planned against
// what is stored as new, already known (same id, same content: a no-op), or refused. Pure: the import
// instant is an argument.
import { z } from 'zod';
import { PARTNER_LEVELS, type Catalog, type PartnerLevelId, type PartnerMetric, type PartnerTrack } from './catalog.js';
import type { Problem, Result, Source } from './ledger.js';
// The same id and instant rules as the ledger's records, so one import file reads alike.
import { instant, recordId, type Origin } from './records.js';
import { dateIn, toUtcIso } from './time.js';
import { sameJson } from './json.js';

const partnerLevelId = z.enum(PARTNER_LEVELS, { error: `must be ${PARTNER_LEVELS.join(', ')}` });

export const DEAL_STATUSES = ['registered', 'won', 'lost'] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];

export const partnerRecord = z.strictObject({
  type: z.literal('partner'),
  id: recordId,
  name: z.string().trim().min(1, 'must not be empty').max(200),
  legacyLevel: z
    .strictObject({ technical: partnerLevelId.optional(), business: partnerLevelId.optional() })
    .refine((legacy) => legacy.technical !== undefined || legacy.business !== undefined, 'must name a level for technical, business or both')
    .optional(),
});

export const partnerActivityRecord = z.strictObject({
  type: z.literal('partner-activity'),
  id: recordId,
  partner: recordId,
  metric: z.string().min(1).max(100),
  at: instant,
  count: z.number().int('must be a whole number above 0').positive('must be a whole number above 0').optional(),
  deal: recordId.optional(),
  status: z.enum(DEAL_STATUSES, { error: `must be ${DEAL_STATUSES.join(', ')}` }).optional(),
  note: z.string().max(1000).optional(),
  evidence: z.url('must be a link (http or https)').max(2000).optional(),
});

export const PARTNER_RECORD_TYPES = ['partner', 'partner-activity'] as const;

export const anyPartnerRecord = z.discriminatedUnion('type', [partnerRecord, partnerActivityRecord], {
  error: (issue) => (issue.code === 'invalid_union' ? 'must be "partner" or "partner-activity"' : undefined),
});

export type PartnerRecord = z.infer<typeof anyPartnerRecord>;

/** True for the record types this file handles, so an import can route each line. */
export function isPartnerRecordType(type: unknown): type is PartnerRecord['type'] {
  return (PARTNER_RECORD_TYPES as readonly unknown[]).includes(type);
}

/** Validates one record's shape; the problem lists every wrong field. */
export function parsePartnerRecord(raw: unknown): Result<PartnerRecord> {
  const parsed = anyPartnerRecord.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = parsed.error.issues
    .map((issue) => (issue.path.length ? `"${issue.path.join('.')}" ${issue.message}` : issue.message))
    .join('; ');
  return { ok: false, problem: { code: 'INVALID_RECORD', message } };
}

export interface Partner {
  id: string;
  name: string;
  /** A starting level per track, set from the two years before the program; it credits nothing. */
  legacyLevel?: Partial<Record<PartnerTrack, PartnerLevelId>>;
  /** ISO-8601 UTC instant the legacy level was imported: it holds from then… */
  legacyAt?: string;
  /** …until the end of this date (YYYY-MM-DD): 31 December of the year after the import. */
  legacyValidUntil?: string;
}

export interface PartnerActivity {
  id: string;
  partnerId: string;
  metric: string;
  /** ISO-8601 UTC instant of the activity (for a deal: of the registration or the decision). */
  at: string;
  /** How many (downloads, posts, meetings…); always 1 for a deal. */
  count: number;
  deal?: string;
  status?: DealStatus;
  source: Source;
  by: string;
  note?: string;
  evidence?: string;
}

/** Read access that planning needs; the store provides it (a batch's earlier records included). */
export interface PartnerView {
  partner(id: string): Partner | undefined;
  activity(id: string): PartnerActivity | undefined;
  /** Every activity of one deal of one partner (registration, decision), in any order. */
  dealEvents(partnerId: string, dealId: string): readonly PartnerActivity[];
}

export type PartnerPlan = { known: true } | { known: false; partner: Partner } | { known: false; activity: PartnerActivity };

const refuse = (code: string, message: string): { ok: false; problem: Problem } => ({ ok: false, problem: { code, message } });

const known: Result<PartnerPlan> = { ok: true, value: { known: true } };

/** The legacy levels in a fixed key order, so a stored partner and a record compare by content. */
function legacyOf(legacy: Partner['legacyLevel']): Partner['legacyLevel'] {
  if (!legacy) return undefined;
  return {
    ...(legacy.technical !== undefined && { technical: legacy.technical }),
    ...(legacy.business !== undefined && { business: legacy.business }),
  };
}

function planPartner(catalog: Catalog, view: PartnerView, record: z.infer<typeof partnerRecord>, now: number): Result<PartnerPlan> {
  const legacyLevel = legacyOf(record.legacyLevel);
  const existing = view.partner(record.id);
  if (existing) {
    // The import instant is not content: re-importing the same file later is a no-op.
    const fields = [
      ...(existing.name === record.name ? [] : ['name']),
      ...(sameJson(legacyOf(existing.legacyLevel), legacyLevel) ? [] : ['legacyLevel']),
    ];
    if (fields.length === 0) return known;
    return refuse('ID_CONFLICT', `partner ${record.id} already exists with a different ${fields.join(', ')}`);
  }
  const year = Number(dateIn(now, catalog.timeZone).slice(0, 4));
  const partner: Partner = {
    id: record.id,
    name: record.name,
    ...(legacyLevel && { legacyLevel, legacyAt: toUtcIso(now), legacyValidUntil: `${year + 1}-12-31` }),
  };
  return { ok: true, value: { known: false, partner } };
}

function describeMetric(metric: PartnerMetric | undefined, id: string, catalog: Catalog): Problem | null {
  if (!metric) {
    const importable = catalog.partner.metrics.filter((m) => m.kind !== 'devops-points').map((m) => m.id);
    return { code: 'UNKNOWN_METRIC', message: `unknown partner metric "${id}" (the catalog has ${importable.join(', ')})` };
  }
  if (metric.kind === 'devops-points') {
    return {
      code: 'DERIVED_METRIC',
      message: `${metric.id} is computed from the DevOps Points of the partner's people and cannot be imported`,
    };
  }
  return null;
}

/** Checks a deal's registration or decision against the deal's earlier events. */
function dealProblem(view: PartnerView, partner: Partner, deal: string, status: DealStatus, at: number, zone: string): Problem | null {
  const events = view.dealEvents(partner.id, deal);
  const registration = events.find((e) => e.status === 'registered');
  const decision = events.find((e) => e.status === 'won' || e.status === 'lost');
  const when = (e: PartnerActivity) => `${dateIn(Date.parse(e.at), zone)} (activity ${e.id})`;
  if (status === 'registered') {
    if (registration) {
      return { code: 'DEAL_ALREADY_REGISTERED', message: `deal ${deal} of partner ${partner.id} was already registered on ${when(registration)}` };
    }
    return null;
  }
  if (!registration) {
    return {
      code: 'DEAL_NOT_REGISTERED',
      message: `deal ${deal} of partner ${partner.id} cannot be ${status}: it was never registered (import its registration first)`,
    };
  }
  if (decision) {
    return { code: 'DEAL_ALREADY_DECIDED', message: `deal ${deal} of partner ${partner.id} was already ${decision.status} on ${when(decision)}` };
  }
  if (at < Date.parse(registration.at)) {
    return {
      code: 'DEAL_DECIDED_BEFORE_REGISTRATION',
      message: `deal ${deal} of partner ${partner.id} cannot be ${status} at ${toUtcIso(at)}, before its registration at ${registration.at}`,
    };
  }
  return null;
}

function planActivity(
  catalog: Catalog,
  view: PartnerView,
  record: z.infer<typeof partnerActivityRecord>,
  origin: Origin,
): Result<PartnerPlan> {
  const at = toUtcIso(record.at);
  const metric = catalog.partner.metrics.find((m) => m.id === record.metric);
  const isDeal = metric?.kind === 'deal';
  const content = {
    partnerId: record.partner,
    metric: record.metric,
    at,
    count: record.count ?? 1,
    ...(record.deal !== undefined && { deal: record.deal }),
    ...(record.status !== undefined && { status: record.status }),
    ...(record.note !== undefined && { note: record.note }),
    ...(record.evidence !== undefined && { evidence: record.evidence }),
  };
  const existing = view.activity(record.id);
  if (existing) {
    const { id: _id, source: _source, by: _by, ...stored } = existing;
    if (sameJson(stored, content)) return known;
    return refuse('ID_CONFLICT', `partner activity id ${record.id} is already used by a different activity`);
  }
  const partner = view.partner(record.partner);
  if (!partner) return refuse('UNKNOWN_PARTNER', `no partner with id "${record.partner}" (import the partner first)`);
  const metricProblem = describeMetric(metric, record.metric, catalog);
  if (metricProblem) return { ok: false, problem: metricProblem };
  if (isDeal) {
    if (record.deal === undefined || record.status === undefined) {
      return refuse('MISSING_INPUT', `${record.metric} needs "deal" (the deal's id) and "status" (${DEAL_STATUSES.join(', ')})`);
    }
    if (record.count !== undefined && record.count !== 1) {
      return refuse('UNEXPECTED_INPUT', `${record.metric} counts one deal per record: leave out "count" (got ${record.count})`);
    }
    const problem = dealProblem(view, partner, record.deal, record.status, record.at, catalog.timeZone);
    if (problem) return { ok: false, problem };
  } else if (record.deal !== undefined || record.status !== undefined) {
    return refuse('UNEXPECTED_INPUT', `${record.metric} does not take "deal" or "status" (only deal metrics do)`);
  }
  const activity: PartnerActivity = { id: record.id, ...content, source: origin.source, by: origin.by };
  return { ok: true, value: { known: false, activity } };
}

/**
 * Plans one validated record against what is stored (the import plans inside its transaction, so the
 * batch's earlier records are there). `now` is the import instant; a legacy level holds until the end
 * of the next year.
 */
export function planPartnerRecord(catalog: Catalog, view: PartnerView, record: PartnerRecord, now: number, origin: Origin): Result<PartnerPlan> {
  return record.type === 'partner' ? planPartner(catalog, view, record, now) : planActivity(catalog, view, record, origin);
}
