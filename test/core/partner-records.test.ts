// The Partner Program's import records: shape, and planning against what is stored (PROGRAM.md section 4).
import { describe, expect, it } from 'vitest';
import type { Result } from '../../src/core/ledger.js';
import {
  parsePartnerRecord,
  planPartnerRecord,
  type DealStatus,
  type Partner,
  type PartnerActivity,
  type PartnerPlan,
  type PartnerRecord,
  type PartnerView,
} from '../../src/core/partner-records.js';
import { partnerStatus } from '../../src/core/partners.js';
import type { Origin } from '../../src/core/records.js';
import { defaultCatalog } from '../support/catalog.js';

const catalog = defaultCatalog();
const origin: Origin = { source: 'import', by: 'admin@example.com' };
const NOW = Date.parse('2025-03-01T10:00:00Z');

const acme: Partner = { id: 'p-acme', name: 'Acme Media' };
const known: Result<PartnerPlan> = { ok: true, value: { known: true } };

/** What the store would hold, in memory. */
function storeView(partners: readonly Partner[] = [acme], activities: readonly PartnerActivity[] = []): PartnerView {
  return {
    partner: (id) => partners.find((p) => p.id === id),
    activity: (id) => activities.find((a) => a.id === id),
    dealEvents: (partnerId, dealId) => activities.filter((a) => a.partnerId === partnerId && a.deal === dealId),
  };
}

function parsed(raw: unknown): PartnerRecord {
  const result = parsePartnerRecord(raw);
  if (!result.ok) throw new Error(`expected a valid record, got ${result.problem.message}`);
  return result.value;
}

function accepted(result: Result<PartnerPlan>): PartnerPlan {
  if (!result.ok) throw new Error(`expected acceptance, got ${result.problem.code}: ${result.problem.message}`);
  return result.value;
}

/**
 * Plans one raw record against what is stored. A batch's earlier records are in the store's view by
 * then (the import service plans inside its transaction): see test/services/import-records.test.ts.
 */
function plan(raw: unknown, view: PartnerView = storeView(), now = NOW, by: Origin = origin): Result<PartnerPlan> {
  return planPartnerRecord(catalog, view, parsed(raw), now, by);
}

/** The activity a plan creates, as the store would keep it. */
function created(result: Result<PartnerPlan>): PartnerActivity {
  const planned = accepted(result);
  if (planned.known || !('activity' in planned)) throw new Error('expected a new activity');
  return planned.activity;
}

const activity = (id: string, fields: Record<string, unknown>) => ({
  type: 'partner-activity',
  id,
  partner: 'p-acme',
  metric: 'technical.certification',
  at: '2025-02-10T09:30:00+01:00',
  ...fields,
});
const deal = (id: string, dealId: string, status: string, at: string, partner = 'p-acme') =>
  activity(id, { metric: 'business.deal', deal: dealId, status, at, partner });

// ---------------------------------------------------------------------------------------------

describe('parsePartnerRecord()', () => {
  it.each([
    { type: 'partner', id: 'p-acme', name: 'Acme Media' },
    { type: 'partner', id: 'p-acme', name: 'Acme Media', legacyLevel: { technical: 'collaborator', business: 'creator' } },
    { type: 'partner', id: 'p-acme', name: 'Acme Media', legacyLevel: { business: 'member' } },
    activity('a1', {}),
    activity('a2', { metric: 'technical.downloads', count: 12, note: 'March report', evidence: 'https://example.com/report' }),
    deal('a3', 'D-2025-001', 'registered', '2025-02-10T08:30:00Z'),
  ])('accepts %j', (raw) => {
    expect(parsePartnerRecord(raw).ok).toBe(true);
  });

  it('reads the instant to epoch milliseconds, whatever its offset', () => {
    const record = parsed(activity('a1', {}));
    expect(record.type === 'partner-activity' && record.at).toBe(Date.parse('2025-02-10T08:30:00Z'));
  });

  it.each([
    { what: 'a zero count', raw: activity('a1', { count: 0 }), message: '"count" must be a whole number above 0' },
    { what: 'a negative count', raw: activity('a1', { count: -3 }), message: '"count" must be a whole number above 0' },
    { what: 'a fractional count', raw: activity('a1', { count: 2.5 }), message: '"count" must be a whole number above 0' },
    { what: 'a count as text', raw: activity('a1', { count: '5' }), message: '"count"' },
    { what: 'an instant without offset', raw: activity('a1', { at: '2025-02-10T09:30:00' }), message: '"at" must be an ISO-8601 instant with Z or an offset' },
    { what: 'a date for an instant', raw: activity('a1', { at: '2025-02-10' }), message: '"at" must be an ISO-8601 instant' },
    { what: 'an unknown deal status', raw: deal('a1', 'd1', 'pending', '2025-02-10T08:30:00Z'), message: '"status" must be registered, won, lost' },
    { what: 'no partner', raw: { ...activity('a1', {}), partner: undefined }, message: '"partner"' },
    { what: 'an unknown field', raw: activity('a1', { points: 10 }), message: 'points' },
    { what: 'a legacy level that does not exist', raw: { type: 'partner', id: 'p1', name: 'P', legacyLevel: { technical: 'gold' } }, message: '"legacyLevel.technical" must be member, collaborator, creator' },
    { what: 'an empty legacy level', raw: { type: 'partner', id: 'p1', name: 'P', legacyLevel: {} }, message: '"legacyLevel" must name a level for technical, business or both' },
    { what: 'a blank name', raw: { type: 'partner', id: 'p1', name: '  ' }, message: '"name" must not be empty' },
    { what: 'an id with spaces', raw: { type: 'partner', id: 'p 1', name: 'P' }, message: '"id" must be 1 to 128 letters' },
    { what: 'an unknown type', raw: { type: 'partnr', id: 'p1', name: 'P' }, message: 'must be "partner" or "partner-activity"' },
  ])('refuses $what, saying which field', ({ raw, message }) => {
    const result = parsePartnerRecord(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe('INVALID_RECORD');
      expect(result.problem.message).toContain(message);
    }
  });
});

describe('planning a partner', () => {
  it('creates a partner without legacy fields when it has no legacy level', () => {
    expect(accepted(plan({ type: 'partner', id: 'p-new', name: 'New Co' }))).toEqual({ known: false, partner: { id: 'p-new', name: 'New Co' } });
  });

  it.each([
    { now: '2025-03-01T10:00:00Z', validUntil: '2026-12-31' },
    { now: '2025-12-31T22:59:59Z', validUntil: '2026-12-31' },
    // 23:30 UTC on 31 December 2025 is already 2026 in Brussels.
    { now: '2025-12-31T23:30:00Z', validUntil: '2027-12-31' },
  ])('imported at $now, a legacy level holds until $validUntil', ({ now, validUntil }) => {
    const raw = { type: 'partner', id: 'p-new', name: 'New Co', legacyLevel: { business: 'creator', technical: 'collaborator' } };
    expect(accepted(plan(raw, storeView(), Date.parse(now)))).toEqual({
      known: false,
      partner: {
        id: 'p-new',
        name: 'New Co',
        legacyLevel: { technical: 'collaborator', business: 'creator' },
        legacyAt: new Date(Date.parse(now)).toISOString(),
        legacyValidUntil: validUntil,
      },
    });
  });

  it('is a no-op when the same partner is imported again later', () => {
    const raw = { type: 'partner', id: 'p-legacy', name: 'Legacy Co', legacyLevel: { technical: 'creator' } };
    const first = accepted(plan(raw));
    if (first.known || !('partner' in first)) throw new Error('expected a new partner');
    expect(accepted(plan(raw, storeView([first.partner]), Date.parse('2026-05-01T10:00:00Z')))).toEqual({ known: true });
  });

  it.each([
    { what: 'another name', raw: { type: 'partner', id: 'p-acme', name: 'Acme Broadcast' }, fields: 'name' },
    { what: 'a legacy level', raw: { type: 'partner', id: 'p-acme', name: 'Acme Media', legacyLevel: { technical: 'creator' } }, fields: 'legacyLevel' },
  ])('refuses the same id with $what', ({ raw, fields }) => {
    const result = plan(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe('ID_CONFLICT');
      expect(result.problem.message).toBe(`partner p-acme already exists with a different ${fields}`);
    }
  });
});

describe('planning a partner activity', () => {
  it('stores the activity in UTC with a count of 1 by default, and who imported it', () => {
    expect(accepted(plan(activity('a1', { note: 'Automation' })))).toEqual({
      known: false,
      activity: {
        id: 'a1',
        partnerId: 'p-acme',
        metric: 'technical.certification',
        at: '2025-02-10T08:30:00.000Z',
        count: 1,
        note: 'Automation',
        source: 'import',
        by: 'admin@example.com',
      },
    });
  });

  it('accepts the win of a registered deal, and the win credits 50', () => {
    const registration = created(plan(deal('r1', 'D-1', 'registered', '2025-02-01T10:00:00Z')));
    const win = created(plan(deal('w1', 'D-1', 'won', '2025-03-01T10:00:00Z'), storeView([acme], [registration])));
    expect([registration, win].map((a) => [a.id, a.deal, a.status, a.count])).toEqual([
      ['r1', 'D-1', 'registered', 1],
      ['w1', 'D-1', 'won', 1],
    ]);
    const status = partnerStatus(catalog, { partner: acme, activities: [registration, win], devops: [] }, Date.parse('2025-04-01T10:00:00Z'));
    expect(status.tracks.business.credits).toBe(50);
  });

  it('accepts a win at the instant of its registration', () => {
    const registration = created(plan(deal('r1', 'D-1', 'registered', '2025-02-01T10:00:00Z')));
    expect(plan(deal('w1', 'D-1', 'won', '2025-02-01T11:00:00+01:00'), storeView([acme], [registration])).ok).toBe(true);
  });

  it('is idempotent: each record imported again is known, whoever imports it', () => {
    const certification = created(plan(activity('a1', {})));
    const registration = created(plan(deal('r1', 'D-1', 'registered', '2025-02-01T10:00:00Z')));
    const win = created(plan(deal('w1', 'D-1', 'won', '2025-03-01T10:00:00Z'), storeView([acme], [registration])));
    const stored = storeView([acme], [certification, registration, win]);
    const again = [activity('a1', {}), deal('r1', 'D-1', 'registered', '2025-02-01T10:00:00Z'), deal('w1', 'D-1', 'won', '2025-03-01T10:00:00Z')];
    expect(again.map((raw) => plan(raw, stored, NOW, { source: 'api', by: 'someone-else' }))).toEqual([known, known, known]);
  });

  /** A deal's event as the store holds it. */
  const storedDeal = (id: string, dealId: string, status: DealStatus, at: string, partnerId = 'p-acme'): PartnerActivity => ({
    id, partnerId, metric: 'business.deal', at, count: 1, deal: dealId, status, source: 'import', by: 'admin',
  });
  const registeredBefore = storedDeal('r0', 'D-OLD', 'registered', '2025-01-15T10:00:00.000Z');
  const certified = created(plan(activity('a1', {})));
  const other: Partner = { id: 'p-other', name: 'Other' };

  it.each([
    { what: 'an unknown metric', record: activity('a1', { metric: 'technical.downloadz' }), code: 'UNKNOWN_METRIC', message: 'unknown partner metric "technical.downloadz"' },
    { what: 'the derived metric', record: activity('a1', { metric: 'technical.devops-points', count: 600 }), code: 'DERIVED_METRIC', message: 'technical.devops-points is computed from the DevOps Points' },
    { what: 'an unknown partner', record: activity('a1', { partner: 'p-nobody' }), code: 'UNKNOWN_PARTNER', message: 'no partner with id "p-nobody"' },
    { what: 'a win never registered', record: deal('w1', 'D-1', 'won', '2025-03-01T10:00:00Z'), code: 'DEAL_NOT_REGISTERED', message: 'deal D-1 of partner p-acme cannot be won: it was never registered' },
    { what: 'a loss never registered', record: deal('l1', 'D-1', 'lost', '2025-03-01T10:00:00Z'), code: 'DEAL_NOT_REGISTERED', message: 'cannot be lost' },
    {
      what: 'a win of a deal another partner registered',
      stored: [storedDeal('r1', 'D-1', 'registered', '2025-02-01T10:00:00.000Z', 'p-other')],
      record: deal('w1', 'D-1', 'won', '2025-03-01T10:00:00Z'),
      code: 'DEAL_NOT_REGISTERED',
      message: 'deal D-1 of partner p-acme',
    },
    { what: 'a deal registered twice', record: deal('r2', 'D-OLD', 'registered', '2025-02-05T10:00:00Z'), code: 'DEAL_ALREADY_REGISTERED', message: 'deal D-OLD of partner p-acme was already registered on 2025-01-15 (activity r0)' },
    {
      what: 'a deal won then lost',
      stored: [storedDeal('w1', 'D-OLD', 'won', '2025-03-01T10:00:00.000Z')],
      record: deal('l1', 'D-OLD', 'lost', '2025-03-02T10:00:00Z'),
      code: 'DEAL_ALREADY_DECIDED',
      message: 'deal D-OLD of partner p-acme was already won on 2025-03-01 (activity w1)',
    },
    { what: 'a deal won twice', stored: [storedDeal('w1', 'D-OLD', 'won', '2025-03-01T10:00:00.000Z')], record: deal('w2', 'D-OLD', 'won', '2025-03-02T10:00:00Z'), code: 'DEAL_ALREADY_DECIDED', message: 'already won' },
    {
      what: 'a win before its registration',
      record: deal('w1', 'D-OLD', 'won', '2025-01-14T10:00:00Z'),
      code: 'DEAL_DECIDED_BEFORE_REGISTRATION',
      message: 'deal D-OLD of partner p-acme cannot be won at 2025-01-14T10:00:00.000Z, before its registration at 2025-01-15T10:00:00.000Z',
    },
    { what: 'a deal without a status', record: activity('d1', { metric: 'business.deal', deal: 'D-1' }), code: 'MISSING_INPUT', message: 'business.deal needs "deal"' },
    { what: 'a deal without an id', record: activity('d1', { metric: 'business.deal', status: 'registered' }), code: 'MISSING_INPUT', message: 'business.deal needs "deal"' },
    { what: 'a deal with a count', record: { ...deal('r1', 'D-1', 'registered', '2025-02-01T10:00:00Z'), count: 3 }, code: 'UNEXPECTED_INPUT', message: 'leave out "count" (got 3)' },
    { what: 'a deal status on downloads', record: activity('a1', { metric: 'technical.downloads', count: 5, status: 'won' }), code: 'UNEXPECTED_INPUT', message: 'technical.downloads does not take "deal" or "status"' },
    { what: 'an activity id used with other content', stored: [certified], record: activity('a1', { count: 2 }), code: 'ID_CONFLICT', message: 'partner activity id a1 is already used by a different activity' },
    { what: 'an activity id used by a stored activity', record: activity('r0', {}), code: 'ID_CONFLICT', message: 'partner activity id r0' },
  ] as { what: string; stored?: PartnerActivity[]; record: unknown; code: string; message: string }[])('refuses $what with $code', ({ stored = [], record, code, message }) => {
    const result = plan(record, storeView([acme, other], [registeredBefore, ...stored]));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe(code);
      expect(result.problem.message).toContain(message);
    }
  });

  it('accepts count 1 on a deal, as if it were left out', () => {
    expect(plan({ ...deal('r1', 'D-1', 'registered', '2025-02-01T10:00:00Z'), count: 1 }).ok).toBe(true);
  });

  it('accepts an activity from before the program start (it credits nothing, but a deal may be won later)', () => {
    expect(accepted(plan(deal('r1', 'D-1', 'registered', '2024-03-01T10:00:00Z'))).known).toBe(false);
  });
});
