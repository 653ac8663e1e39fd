// The claim queue, the pending check and what a reviewer may choose, by the catalog's rule kinds.
import { describe, expect, it } from 'vitest';
import { alreadyDecided, decisionFor, isPending, pendingClaims, type Claim } from '../../src/core/claims.js';
import { choosesDays, choosesPoints } from '../../src/core/chosen-inputs.js';
import { defaultCatalog } from '../support/catalog.js';

const catalog = defaultCatalog();

const claim = (id: string, fields: Partial<Claim> = {}): Claim => ({
  id,
  kind: 'action',
  submittedBy: 'ann',
  submittedAt: '2026-11-20T08:00:00.000Z',
  action: 'qa.ask',
  dates: ['2026-11-19'],
  status: 'pending',
  ...fields,
});

describe('pendingClaims()', () => {
  const claims = [
    claim('c-new', { submittedAt: '2026-11-22T08:00:00.000Z' }),
    claim('c-done', { submittedAt: '2026-11-01T08:00:00.000Z', status: 'approved' }),
    claim('c-old', { submittedAt: '2026-11-02T08:00:00.000Z', submittedBy: 'bob' }),
    claim('c-mid', { submittedAt: '2026-11-10T08:00:00.000Z' }),
    claim('c-no', { submittedAt: '2026-11-03T08:00:00.000Z', status: 'rejected' }),
  ];
  it.each([
    { who: undefined, expected: ['c-old', 'c-mid', 'c-new'] },
    { who: 'ann', expected: ['c-mid', 'c-new'] },
    { who: 'cas', expected: [] },
  ])('oldest first, decided ones left out (member $who)', ({ who, expected }) => {
    expect(pendingClaims(claims, who).map((c) => c.id)).toEqual(expected);
  });
});

describe('isPending() and alreadyDecided()', () => {
  it.each([
    { status: 'pending' as const, pending: true, code: null },
    { status: 'approved' as const, pending: false, code: 'ALREADY_DECIDED' },
    { status: 'rejected' as const, pending: false, code: 'ALREADY_DECIDED' },
  ])('$status', ({ status, pending, code }) => {
    const c = claim('c', { status, decidedBy: 'ada', decidedAt: '2026-11-21T08:00:00.000Z' });
    expect(isPending(c)).toBe(pending);
    expect(alreadyDecided(c)?.code ?? null).toBe(code);
  });
});

describe('what a reviewer chooses', () => {
  it.each([
    // action, claim kind, points chosen?, days chosen?
    ['qa.ask', 'action', false, false],
    ['docs.typo', 'action', true, false],
    ['partner.host-event', 'action', true, false],
    ['partner.show-meeting', 'action', false, false],
    ['training.event', 'action', false, true],
    ['training.internal', 'attendance', false, false],
    ['kata.early', 'action', false, false],
  ] as const)('%s (%s claim): points %s, days %s', (action, kind, points, days) => {
    const rule = catalog.byId.get(action);
    expect(choosesPoints(rule)).toBe(points);
    expect(choosesDays(rule, kind)).toBe(days);
  });

  it.each([
    { what: 'points for a range rule', c: claim('c', { action: 'docs.typo' }), chosen: { points: 40, days: 3 }, expected: { points: 40 } },
    { what: 'no points when none were given', c: claim('c', { action: 'docs.typo' }), chosen: {}, expected: {} },
    { what: 'nothing for a fixed rule', c: claim('c', { action: 'qa.ask' }), chosen: { points: 40, days: 3 }, expected: {} },
    { what: 'days for a per-day action claim', c: claim('c', { action: 'training.event' }), chosen: { days: 3 }, expected: { days: 3 } },
    { what: 'the claim’s dates when no days were given', c: claim('c', { action: 'training.event', dates: ['2026-11-02', '2026-11-03'] }), chosen: {}, expected: { days: 2 } },
    { what: 'nothing for attendance, which counts its dates', c: claim('c', { kind: 'attendance', action: 'training.internal' }), chosen: { days: 3 }, expected: {} },
  ])('decisionFor keeps $what', ({ c, chosen, expected }) => {
    expect(decisionFor(catalog, c, 'ada', 1000, chosen)).toEqual({ reviewer: 'ada', at: 1000, ...expected });
  });
});
