// Crediting and reversing by the catalog's rule kinds (PROGRAM.md section 2), and planning records.
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/core/catalog.js';
import {
  credit,
  reverse,
  type CreditRequest,
  type EntryInputs,
  type LedgerEntry,
  type Member,
  type Result,
} from '../../src/core/ledger.js';
import { parseRecord, planRecord, type LedgerView, type Origin, type RecordPlan } from '../../src/core/records.js';
import { catalogFrom, defaultCatalog, defaultCatalogJson, ledgerOf } from '../support/catalog.js';

const catalog = defaultCatalog();

const member: Member = { id: 'm-ada', email: 'ada@example.com', name: 'Ada', signedUpAt: '2024-01-15' };

function accepted<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected acceptance, got ${result.problem.code}: ${result.problem.message}`);
  return result.value;
}

function refusedWith<T>(result: Result<T>): string {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  expect(result.problem.message).toEqual(expect.any(String));
  expect(result.problem.message.length).toBeGreaterThan(0);
  return result.problem.code;
}

function request(action: string, at: string, inputs: EntryInputs = {}, id = 'e1'): CreditRequest {
  // Every request carries proof, as training.internal demands; the proof rule has its own test.
  return { id, action, at: Date.parse(at), inputs, source: 'import', by: 'tester', evidence: 'https://example.com/sheet.pdf' };
}

/** Credits in order, each against the ledger as the earlier ones left it. */
function creditAll(
  entries: LedgerEntry[],
  steps: readonly { id: string; action: string; at: string; inputs?: EntryInputs }[],
  onCatalog: Catalog = catalog,
): LedgerEntry[][] {
  return steps.map((step) => {
    const made = accepted(credit(onCatalog, ledgerOf(member, entries), request(step.action, step.at, step.inputs ?? {}, step.id)));
    entries.push(...made);
    return made;
  });
}

function reversal(id: string, at: string, note?: string) {
  return { id, at: Date.parse(at), source: 'admin' as const, by: 'reviewer', ...(note !== undefined && { note }) };
}

// ---------------------------------------------------------------------------------------------
// One row per catalog action (PROGRAM.md "Default catalog").

interface CatalogRow {
  action: string;
  inputs: EntryInputs;
  /** The points credited, or null when the action is refused. */
  points: number | null;
  code?: string;
}

const catalogRows: CatalogRow[] = [
  { action: 'qa.ask', inputs: {}, points: 10 },
  { action: 'qa.answer', inputs: {}, points: 25 },
  { action: 'qa.answer-accepted', inputs: {}, points: 75 },
  { action: 'qa.accept-answer', inputs: {}, points: 10 },
  { action: 'qa.upvote-given', inputs: {}, points: 1 },
  { action: 'qa.upvote-received', inputs: {}, points: 25 },
  { action: 'qa.comment', inputs: {}, points: 10 },
  { action: 'qa.downvote-received', inputs: {}, points: -10 },
  { action: 'course.enroll', inputs: {}, points: 25 },
  { action: 'course.complete', inputs: {}, points: 250 },
  { action: 'course.mini-quiz', inputs: {}, points: 15 },
  { action: 'course.final-quiz', inputs: {}, points: 400 },
  { action: 'course.assignment', inputs: {}, points: 75 },
  { action: 'training.event', inputs: { days: 2 }, points: 1000 },
  { action: 'training.internal', inputs: { days: 3 }, points: 1500 },
  { action: 'kata.complete', inputs: {}, points: 75 },
  { action: 'kata.early', inputs: {}, points: null, code: 'AUTOMATIC_ACTION' },
  { action: 'cert.fundamentals', inputs: {}, points: 500 },
  { action: 'cert.configurator', inputs: {}, points: 750 },
  { action: 'cert.visual-overview-1', inputs: {}, points: 500 },
  { action: 'cert.automation', inputs: {}, points: 750 },
  { action: 'cert.scripts-connectors', inputs: {}, points: 750 },
  { action: 'docs.typo', inputs: { points: 30 }, points: 30 },
  { action: 'docs.add-info', inputs: { points: 5000 }, points: 5000 },
  { action: 'docs.by-email', inputs: { points: 1 }, points: 1 },
  { action: 'docs.github-issue', inputs: {}, points: 100 },
  { action: 'content.blog', inputs: { points: 2500 }, points: 2500 },
  { action: 'content.use-case', inputs: { points: 4000 }, points: 4000 },
  { action: 'content.retro-recipe', inputs: {}, points: 2000 },
  { action: 'content.solution', inputs: { points: 2500 }, points: 2500 },
  { action: 'catalog.contribution', inputs: { points: 600 }, points: 600 },
  { action: 'feedback.form', inputs: {}, points: 50 },
  { action: 'advocacy.linkedin-headline', inputs: {}, points: 250 },
  { action: 'advocacy.job-title', inputs: {}, points: 250 },
  { action: 'advocacy.attestation-post', inputs: {}, points: 100 },
  { action: 'nomination.devops-mindset', inputs: {}, points: 750 },
  { action: 'partner.show-meeting', inputs: { attendees: 2 }, points: 250 },
  { action: 'partner.customer-meeting', inputs: { attendees: 3 }, points: 33 },
  { action: 'partner.host-event', inputs: { points: 1000, days: 2, attendees: 3 }, points: 666 },
  { action: 'partner.use-case', inputs: { points: 250 }, points: 250 },
  { action: 'partner.business-course', inputs: { points: 50 }, points: 50 },
];

describe('the default catalog', () => {
  // PROGRAM.md's table has 40 rows; kata.early, the bonus named in the kata.complete row, is the 41st action.
  it('has the 40 actions of PROGRAM.md plus kata.early, each with one row in this table', () => {
    expect(catalog.actions).toHaveLength(41);
    expect(catalogRows).toHaveLength(41);
    const tested = catalogRows.map((row) => row.action).sort();
    expect(new Set(tested).size).toBe(tested.length);
    expect(tested).toEqual(catalog.actions.map((rule) => rule.id).sort());
  });

  it('has the thresholds and time zone of PROGRAM.md', () => {
    expect(catalog.timeZone).toBe('Europe/Brussels');
    expect(catalog.levels.map((level) => [level.id, level.threshold])).toEqual([
      ['advocate', 750],
      ['enabler', 5000],
      ['catalyst', 15000],
    ]);
  });
});

describe('credit(): one row per catalog action', () => {
  it.each(catalogRows)('$action $inputs -> $points', ({ action, inputs, points, code }) => {
    const result = credit(catalog, ledgerOf(member, []), {
      id: 'row-1',
      action,
      at: Date.parse('2025-05-05T10:00:00Z'),
      inputs,
      source: 'import',
      by: 'tester',
      note: 'from the table',
      evidence: 'https://example.com/proof',
    });
    if (points === null) {
      expect(refusedWith(result)).toBe(code);
      return;
    }
    expect(accepted(result)).toEqual([
      {
        id: 'row-1',
        memberId: 'm-ada',
        action,
        at: '2025-05-05T10:00:00.000Z',
        points,
        inputs,
        source: 'import',
        by: 'tester',
        edition: '2025-devops-points',
        note: 'from the table',
        evidence: 'https://example.com/proof',
      },
    ]);
  });

  it('refuses an action the catalog does not have', () => {
    expect(refusedWith(credit(catalog, ledgerOf(member, []), request('qa.ask-twice', '2025-05-05T10:00:00Z')))).toBe('UNKNOWN_ACTION');
  });
});

describe('credit(): inputs', () => {
  const at = '2025-05-05T10:00:00Z';
  const creditOne = (action: string, inputs: EntryInputs) => credit(catalog, ledgerOf(member, []), request(action, at, inputs));

  it('refuses training.internal without proof, and takes it with a link', () => {
    const { evidence: _evidence, ...withoutProof } = request('training.internal', at, { days: 1 });
    expect(refusedWith(credit(catalog, ledgerOf(member, []), withoutProof))).toBe('MISSING_PROOF');
    expect(refusedWith(credit(catalog, ledgerOf(member, []), { ...withoutProof, evidence: '' }))).toBe('MISSING_PROOF');
    expect(accepted(creditOne('training.internal', { days: 1 }))[0]?.evidence).toBe('https://example.com/sheet.pdf');
  });

  it('credits a fixed negative value as it is', () => {
    expect(accepted(creditOne('qa.downvote-received', {})).map((e) => e.points)).toEqual([-10]);
  });

  it.each([
    { action: 'docs.typo', points: 25 },
    { action: 'docs.typo', points: 50 },
    { action: 'content.blog', points: 5000 },
    { action: 'partner.business-course', points: 10 },
  ])('credits $points for $action, the edge of its range', ({ action, points }) => {
    expect(accepted(creditOne(action, { points })).map((e) => e.points)).toEqual([points]);
  });

  it.each([
    { what: 'below min', action: 'docs.typo', inputs: { points: 24 }, code: 'OUT_OF_RANGE' },
    { what: 'above max', action: 'docs.typo', inputs: { points: 51 }, code: 'OUT_OF_RANGE' },
    { what: 'zero', action: 'docs.add-info', inputs: { points: 0 }, code: 'OUT_OF_RANGE' },
    { what: 'negative', action: 'content.solution', inputs: { points: -300 }, code: 'OUT_OF_RANGE' },
    { what: 'above max', action: 'content.blog', inputs: { points: 5001 }, code: 'OUT_OF_RANGE' },
    { what: 'missing', action: 'docs.typo', inputs: {}, code: 'MISSING_INPUT' },
    { what: 'non-integer', action: 'docs.typo', inputs: { points: 30.5 }, code: 'OUT_OF_RANGE' },
    { what: 'split range above max', action: 'partner.host-event', inputs: { points: 1001, days: 1, attendees: 1 }, code: 'OUT_OF_RANGE' },
    { what: 'split range below min', action: 'partner.host-event', inputs: { points: 0, days: 1, attendees: 1 }, code: 'OUT_OF_RANGE' },
    { what: 'split range missing points', action: 'partner.host-event', inputs: { days: 1, attendees: 1 }, code: 'MISSING_INPUT' },
    { what: 'split range missing days', action: 'partner.host-event', inputs: { points: 500, attendees: 1 }, code: 'MISSING_INPUT' },
    { what: 'split missing attendees', action: 'partner.host-event', inputs: { points: 500, days: 1 }, code: 'MISSING_INPUT' },
  ])('refuses range points $what ($action $inputs) with $code', ({ action, inputs, code }) => {
    expect(refusedWith(creditOne(action, inputs))).toBe(code);
  });

  it.each([
    { days: 1, points: 500 },
    { days: 2, points: 1000 },
    { days: 31, points: 15500 },
  ])('per day: $days day(s) -> $points', ({ days, points }) => {
    expect(accepted(creditOne('training.event', { days })).map((e) => e.points)).toEqual([points]);
    expect(accepted(creditOne('training.internal', { days })).map((e) => e.points)).toEqual([points]);
  });

  it.each([
    { days: 0, code: 'OUT_OF_RANGE' },
    { days: 32, code: 'OUT_OF_RANGE' },
    { days: 1.5, code: 'OUT_OF_RANGE' },
    { days: -1, code: 'OUT_OF_RANGE' },
    { days: undefined, code: 'MISSING_INPUT' },
  ])('per day: days $days is refused with $code', ({ days, code }) => {
    const inputs = days === undefined ? {} : { days };
    expect(refusedWith(creditOne('training.event', inputs))).toBe(code);
    expect(refusedWith(creditOne('training.internal', inputs))).toBe(code);
  });

  it.each([
    { action: 'partner.customer-meeting', inputs: { attendees: 3 }, points: 33 },
    { action: 'partner.customer-meeting', inputs: { attendees: 1 }, points: 100 },
    { action: 'partner.customer-meeting', inputs: { attendees: 101 }, points: 0 },
    { action: 'partner.show-meeting', inputs: { attendees: 2 }, points: 250 },
    { action: 'partner.show-meeting', inputs: { attendees: 3 }, points: 166 },
    { action: 'partner.host-event', inputs: { points: 1000, days: 2, attendees: 3 }, points: 666 },
    { action: 'partner.host-event', inputs: { points: 1000, days: 1, attendees: 3 }, points: 333 },
    { action: 'partner.host-event', inputs: { points: 700, days: 3, attendees: 4 }, points: 525 },
  ])('split: $action $inputs -> $points (rounded down)', ({ action, inputs, points }) => {
    expect(accepted(creditOne(action, inputs)).map((e) => e.points)).toEqual([points]);
  });

  it.each([
    { attendees: 0, code: 'OUT_OF_RANGE' },
    { attendees: 2.5, code: 'OUT_OF_RANGE' },
    { attendees: undefined, code: 'MISSING_INPUT' },
  ])('split: attendees $attendees is refused with $code', ({ attendees, code }) => {
    expect(refusedWith(creditOne('partner.show-meeting', attendees === undefined ? {} : { attendees }))).toBe(code);
  });

  it.each([
    { action: 'qa.ask', inputs: { points: 10 } },
    { action: 'qa.ask', inputs: { days: 1 } },
    { action: 'qa.ask', inputs: { releasedAt: '2025-05-01' } },
    { action: 'docs.typo', inputs: { points: 30, days: 1 } },
    { action: 'training.event', inputs: { days: 1, attendees: 2 } },
    { action: 'partner.show-meeting', inputs: { points: 500, attendees: 2 } },
    { action: 'partner.customer-meeting', inputs: { days: 1, attendees: 2 } },
    { action: 'kata.complete', inputs: { points: 75 } },
    { action: 'feedback.form', inputs: { points: 50 } },
  ])('refuses an input the rule does not take: $action $inputs', ({ action, inputs }) => {
    expect(refusedWith(creditOne(action, inputs))).toBe('UNEXPECTED_INPUT');
  });
});

describe('credit(): sign-up', () => {
  // 2024-01-15 00:00 in Brussels (CET, +1) is 2024-01-14T23:00:00Z.
  it('refuses a credit before the sign-up', () => {
    expect(refusedWith(credit(catalog, ledgerOf(member, []), request('qa.ask', '2024-01-14T22:59:59.999Z')))).toBe('BEFORE_SIGN_UP');
    expect(refusedWith(credit(catalog, ledgerOf(member, []), request('qa.ask', '2023-06-01T10:00:00Z')))).toBe('BEFORE_SIGN_UP');
  });

  it('accepts a credit from 00:00 of the sign-up day in program time', () => {
    expect(accepted(credit(catalog, ledgerOf(member, []), request('qa.ask', '2024-01-14T23:00:00Z'))).map((e) => e.points)).toEqual([10]);
  });
});

describe('credit(): monthly cap', () => {
  it('credits feedback.form 50, 50, then 0 with a reason', () => {
    const entries: LedgerEntry[] = [];
    const made = creditAll(entries, [
      { id: 'f1', action: 'feedback.form', at: '2025-05-02T10:00:00Z' },
      { id: 'f2', action: 'feedback.form', at: '2025-05-10T10:00:00Z' },
      { id: 'f3', action: 'feedback.form', at: '2025-05-20T10:00:00Z' },
      { id: 'f4', action: 'feedback.form', at: '2025-05-21T10:00:00Z' },
    ]);
    expect(made.map((m) => m.map((e) => e.points))).toEqual([[50], [50], [0], [0]]);
    expect(made[0]?.[0]?.reason).toBeUndefined();
    expect(made[1]?.[0]?.reason).toBeUndefined();
    const reason = made[2]?.[0]?.reason;
    expect(reason).toEqual(expect.any(String));
    expect(reason).toContain('2025-05');
    expect(made[3]?.[0]?.reason).toEqual(expect.any(String));
    // The capped entries are kept as entries.
    expect(entries.map((e) => e.id)).toEqual(['f1', 'f2', 'f3', 'f4']);
  });

  it('credits the entry that reaches the cap only up to the cap (60, 40, 0 with points 60, cap 100)', () => {
    const raw = defaultCatalogJson();
    const actions = raw.actions as { id: string; points?: number; monthlyCap?: number }[];
    const form = actions.find((a) => a.id === 'feedback.form');
    if (!form) throw new Error('feedback.form missing from the catalog');
    form.points = 60;
    form.monthlyCap = 100;
    const variant = catalogFrom(raw);
    const made = creditAll(
      [],
      [
        { id: 'f1', action: 'feedback.form', at: '2025-05-02T10:00:00Z' },
        { id: 'f2', action: 'feedback.form', at: '2025-05-03T10:00:00Z' },
        { id: 'f3', action: 'feedback.form', at: '2025-05-04T10:00:00Z' },
      ],
      variant,
    );
    expect(made.map((m) => m.map((e) => e.points))).toEqual([[60], [40], [0]]);
    expect(made[0]?.[0]?.reason).toBeUndefined();
    expect(made[1]?.[0]?.reason).toEqual(expect.any(String));
    expect(made[2]?.[0]?.reason).toEqual(expect.any(String));
  });

  it('does not count other actions toward the cap', () => {
    const made = creditAll(
      [],
      [
        { id: 'a1', action: 'qa.ask', at: '2025-05-01T10:00:00Z' },
        { id: 'f1', action: 'feedback.form', at: '2025-05-02T10:00:00Z' },
        { id: 'f2', action: 'feedback.form', at: '2025-05-03T10:00:00Z' },
      ],
    );
    expect(made.map((m) => m.map((e) => e.points))).toEqual([[10], [50], [50]]);
  });

  it.each([
    // After the autumn change Brussels is CET (+1): 2025-10-31T22:59:59Z is 23:59:59 on 31 October.
    { season: 'winter', earlier: ['2025-10-05T10:00:00Z', '2025-10-20T10:00:00Z'], at: '2025-10-31T22:59:59Z', points: 0 },
    { season: 'winter', earlier: ['2025-10-05T10:00:00Z', '2025-10-20T10:00:00Z'], at: '2025-10-31T23:00:00Z', points: 50 },
    // In summer Brussels is CEST (+2): 2025-06-30T21:59:59Z is 23:59:59 on 30 June.
    { season: 'summer', earlier: ['2025-06-02T10:00:00Z', '2025-06-15T10:00:00Z'], at: '2025-06-30T21:59:59Z', points: 0 },
    { season: 'summer', earlier: ['2025-06-02T10:00:00Z', '2025-06-15T10:00:00Z'], at: '2025-06-30T22:00:00Z', points: 50 },
    // Entries already in the ledger are counted by their month in program time too.
    { season: 'winter', earlier: ['2025-10-31T23:00:00Z', '2025-10-31T23:30:00Z'], at: '2025-11-15T10:00:00Z', points: 0 },
    { season: 'winter', earlier: ['2025-10-31T23:00:00Z', '2025-10-31T23:30:00Z'], at: '2025-10-31T22:59:59Z', points: 50 },
    { season: 'summer', earlier: ['2025-06-30T22:00:00Z', '2025-06-30T22:30:00Z'], at: '2025-06-30T21:59:59Z', points: 50 },
  ])('counts the month in Europe/Brussels ($season): after $earlier, a credit at $at gets $points', ({ earlier, at, points }) => {
    const entries: LedgerEntry[] = [];
    creditAll(
      entries,
      earlier.map((when, i) => ({ id: `f${i}`, action: 'feedback.form', at: when })),
    );
    expect(entries.map((e) => e.points)).toEqual([50, 50]);
    const made = accepted(credit(catalog, ledgerOf(member, entries), request('feedback.form', at, {}, 'f-new')));
    expect(made.map((e) => e.points)).toEqual([points]);
  });

  it('frees the cap when a capped entry is reversed', () => {
    const entries: LedgerEntry[] = [];
    creditAll(entries, [
      { id: 'f1', action: 'feedback.form', at: '2025-05-02T10:00:00Z' },
      { id: 'f2', action: 'feedback.form', at: '2025-05-03T10:00:00Z' },
    ]);
    const target = entries[0];
    if (!target) throw new Error('no entry');
    entries.push(...accepted(reverse(catalog, ledgerOf(member, entries), target, reversal('r1', '2025-05-04T10:00:00Z'))));
    const made = creditAll(entries, [
      { id: 'f3', action: 'feedback.form', at: '2025-05-05T10:00:00Z' },
      { id: 'f4', action: 'feedback.form', at: '2025-05-06T10:00:00Z' },
    ]);
    expect(made.map((m) => m.map((e) => e.points))).toEqual([[50], [0]]);
  });
});

describe('credit(): once a year', () => {
  // Sign-up 2024-03-15: the first anniversary is 2025-03-15 00:00 CET = 2025-03-14T23:00:00Z.
  const yearly = { ...member, signedUpAt: '2024-03-15' };
  const creditYearly = (entries: LedgerEntry[], id: string, at: string, action = 'advocacy.linkedin-headline') => {
    const result = credit(catalog, ledgerOf(yearly, entries), request(action, at, {}, id));
    if (result.ok) entries.push(...result.value);
    return result;
  };

  it('refuses a second credit in the same membership year', () => {
    const entries: LedgerEntry[] = [];
    expect(accepted(creditYearly(entries, 'l1', '2024-06-01T10:00:00Z')).map((e) => e.points)).toEqual([250]);
    expect(refusedWith(creditYearly(entries, 'l2', '2025-03-14T22:59:59.999Z'))).toBe('ONCE_A_YEAR');
    expect(entries.map((e) => e.id)).toEqual(['l1']);
  });

  it('allows one just before the anniversary and one at the anniversary', () => {
    const entries: LedgerEntry[] = [];
    expect(accepted(creditYearly(entries, 'l1', '2025-03-14T22:59:59.999Z')).map((e) => e.points)).toEqual([250]);
    expect(accepted(creditYearly(entries, 'l2', '2025-03-14T23:00:00.000Z')).map((e) => e.points)).toEqual([250]);
    expect(refusedWith(creditYearly(entries, 'l3', '2026-03-14T22:59:59.999Z'))).toBe('ONCE_A_YEAR');
  });

  it('does not count an entry at the anniversary in the year that ends there', () => {
    const entries: LedgerEntry[] = [];
    expect(accepted(creditYearly(entries, 'l2', '2025-03-14T23:00:00.000Z')).map((e) => e.points)).toEqual([250]);
    expect(accepted(creditYearly(entries, 'l1', '2025-03-14T22:59:59.999Z')).map((e) => e.points)).toEqual([250]);
    expect(refusedWith(creditYearly(entries, 'l0', '2024-03-14T23:00:00.000Z'))).toBe('ONCE_A_YEAR');
  });

  it('allows a new one after the first is reversed', () => {
    const entries: LedgerEntry[] = [];
    accepted(creditYearly(entries, 'l1', '2024-06-01T10:00:00Z'));
    const first = entries[0];
    if (!first) throw new Error('no entry');
    entries.push(...accepted(reverse(catalog, ledgerOf(yearly, entries), first, reversal('r1', '2024-06-02T10:00:00Z'))));
    expect(accepted(creditYearly(entries, 'l2', '2024-07-01T10:00:00Z')).map((e) => e.points)).toEqual([250]);
    expect(refusedWith(creditYearly(entries, 'l3', '2024-08-01T10:00:00Z'))).toBe('ONCE_A_YEAR');
  });

  it('counts each once-a-year action on its own', () => {
    const entries: LedgerEntry[] = [];
    accepted(creditYearly(entries, 'l1', '2024-06-01T10:00:00Z', 'advocacy.linkedin-headline'));
    expect(accepted(creditYearly(entries, 'j1', '2024-06-01T10:00:00Z', 'advocacy.job-title')).map((e) => e.points)).toEqual([250]);
    expect(accepted(creditYearly(entries, 'p1', '2024-06-01T10:00:00Z', 'advocacy.attestation-post')).map((e) => e.points)).toEqual([100]);
    expect(refusedWith(creditYearly(entries, 'p2', '2024-12-01T10:00:00Z', 'advocacy.attestation-post'))).toBe('ONCE_A_YEAR');
  });
});

describe('credit(): kata bonus', () => {
  // releasedAt "2025-03-01" is 2025-03-01 00:00 CET = 2025-02-28T23:00:00Z; 7 days later is 2025-03-07T23:00:00Z.
  const kata = (at: string, releasedAt?: string) =>
    credit(catalog, ledgerOf(member, []), request('kata.complete', at, releasedAt === undefined ? {} : { releasedAt }, 'k1'));

  it('adds the bonus entry "<id>+bonus" when completed exactly 7 days after the release', () => {
    expect(accepted(kata('2025-03-07T23:00:00.000Z', '2025-03-01'))).toEqual([
      {
        id: 'k1',
        memberId: 'm-ada',
        action: 'kata.complete',
        at: '2025-03-07T23:00:00.000Z',
        points: 75,
        inputs: { releasedAt: '2025-03-01' },
        source: 'import',
        by: 'tester',
        edition: '2025-devops-points',
        evidence: 'https://example.com/sheet.pdf',
      },
      {
        id: 'k1+bonus',
        memberId: 'm-ada',
        action: 'kata.early',
        at: '2025-03-07T23:00:00.000Z',
        points: 75,
        inputs: {},
        source: 'import',
        by: 'tester',
        edition: '2025-devops-points',
        bonusFor: 'k1',
      },
    ]);
  });

  it.each([
    { what: 'at the release itself', at: '2025-02-28T23:00:00.000Z', releasedAt: '2025-03-01', ids: ['k1', 'k1+bonus'] },
    { what: 'within the week', at: '2025-03-04T12:00:00.000Z', releasedAt: '2025-03-01', ids: ['k1', 'k1+bonus'] },
    { what: '1 ms after 7 days', at: '2025-03-07T23:00:00.001Z', releasedAt: '2025-03-01', ids: ['k1'] },
    { what: 'a month later', at: '2025-04-01T10:00:00.000Z', releasedAt: '2025-03-01', ids: ['k1'] },
    { what: 'released at an instant, exactly 7 days', at: '2025-03-08T09:00:00.000Z', releasedAt: '2025-03-01T10:00:00+01:00', ids: ['k1', 'k1+bonus'] },
    { what: 'released at an instant, 1 ms late', at: '2025-03-08T09:00:00.001Z', releasedAt: '2025-03-01T10:00:00+01:00', ids: ['k1'] },
    { what: 'no release date', at: '2025-03-02T10:00:00.000Z', releasedAt: undefined, ids: ['k1'] },
  ])('$what -> $ids', ({ at, releasedAt, ids }) => {
    const made = accepted(kata(at, releasedAt));
    expect(made.map((e) => e.id)).toEqual(ids);
    expect(made.map((e) => e.points)).toEqual(ids.map(() => 75));
  });

  it.each([
    { what: 'released after the completion', at: '2025-03-07T23:00:00Z', releasedAt: '2025-03-10' },
    { what: 'released 1 ms after the completion', at: '2025-02-28T22:59:59.999Z', releasedAt: '2025-03-01' },
    { what: 'an impossible date', at: '2025-03-07T23:00:00Z', releasedAt: '2025-02-30' },
    { what: 'an instant without an offset', at: '2025-03-07T23:00:00Z', releasedAt: '2025-03-01T10:00:00' },
    { what: 'not a date', at: '2025-03-07T23:00:00Z', releasedAt: 'last week' },
  ])('refuses a release date that is $what with BAD_DATE', ({ at, releasedAt }) => {
    expect(refusedWith(kata(at, releasedAt))).toBe('BAD_DATE');
  });
});

describe('reverse()', () => {
  const at = '2025-05-05T10:00:00Z';

  it('creates an entry with the opposite points that names the entry it cancels', () => {
    const entries: LedgerEntry[] = [];
    creditAll(entries, [{ id: 'c1', action: 'content.solution', at, inputs: { points: 400 } }]);
    const target = entries[0]!;
    expect(accepted(reverse(catalog, ledgerOf(member, entries), target, reversal('r1', '2025-05-06T10:00:00Z', 'duplicate')))).toEqual([
      {
        id: 'r1',
        memberId: 'm-ada',
        action: 'content.solution',
        at: '2025-05-06T10:00:00.000Z',
        points: -400,
        inputs: {},
        source: 'admin',
        by: 'reviewer',
        edition: '2025-devops-points',
        reverses: 'c1',
        note: 'duplicate',
      },
    ]);
  });

  it('gives back the points of a negative entry', () => {
    const entries: LedgerEntry[] = [];
    creditAll(entries, [{ id: 'd1', action: 'qa.downvote-received', at }]);
    const made = accepted(reverse(catalog, ledgerOf(member, entries), entries[0]!, reversal('r1', at)));
    expect(made.map((e) => [e.id, e.reverses, e.points])).toEqual([['r1', 'd1', 10]]);
  });

  it("reverses a kata's bonus too", () => {
    const entries: LedgerEntry[] = [];
    creditAll(entries, [{ id: 'k1', action: 'kata.complete', at: '2025-03-02T10:00:00Z', inputs: { releasedAt: '2025-03-01' } }]);
    expect(entries.map((e) => e.id)).toEqual(['k1', 'k1+bonus']);
    const made = accepted(reverse(catalog, ledgerOf(member, entries), entries[0]!, reversal('r1', '2025-03-10T10:00:00Z')));
    expect(made.map((e) => ({ id: e.id, action: e.action, reverses: e.reverses, points: e.points }))).toEqual([
      { id: 'r1', action: 'kata.complete', reverses: 'k1', points: -75 },
      { id: 'r1+bonus', action: 'kata.early', reverses: 'k1+bonus', points: -75 },
    ]);
  });

  it('does not reverse a bonus that is already reversed', () => {
    const entries: LedgerEntry[] = [];
    creditAll(entries, [{ id: 'k1', action: 'kata.complete', at: '2025-03-02T10:00:00Z', inputs: { releasedAt: '2025-03-01' } }]);
    const bonus = entries.find((e) => e.id === 'k1+bonus')!;
    entries.push(...accepted(reverse(catalog, ledgerOf(member, entries), bonus, reversal('rb', '2025-03-05T10:00:00Z'))));
    const made = accepted(reverse(catalog, ledgerOf(member, entries), entries[0]!, reversal('r1', '2025-03-10T10:00:00Z')));
    expect(made.map((e) => [e.id, e.reverses, e.points])).toEqual([['r1', 'k1', -75]]);
  });

  it('refuses to reverse an entry twice', () => {
    const entries: LedgerEntry[] = [];
    creditAll(entries, [{ id: 'c1', action: 'qa.answer', at }]);
    entries.push(...accepted(reverse(catalog, ledgerOf(member, entries), entries[0]!, reversal('r1', at))));
    expect(refusedWith(reverse(catalog, ledgerOf(member, entries), entries[0]!, reversal('r2', at)))).toBe('ALREADY_REVERSED');
  });

  it('refuses to reverse a reversal', () => {
    const entries: LedgerEntry[] = [];
    creditAll(entries, [{ id: 'c1', action: 'qa.answer', at }]);
    entries.push(...accepted(reverse(catalog, ledgerOf(member, entries), entries[0]!, reversal('r1', at))));
    const rev = entries[1]!;
    expect(rev.reverses).toBe('c1');
    expect(refusedWith(reverse(catalog, ledgerOf(member, entries), rev, reversal('r2', '2025-05-07T10:00:00Z')))).toBe('REVERSAL_OF_REVERSAL');
  });

  it('refuses a reversal dated before the entry, and accepts one at the same instant', () => {
    const entries: LedgerEntry[] = [];
    creditAll(entries, [{ id: 'c1', action: 'qa.answer', at: '2025-05-05T10:00:00.000Z' }]);
    expect(refusedWith(reverse(catalog, ledgerOf(member, entries), entries[0]!, reversal('r1', '2025-05-05T09:59:59.999Z')))).toBe('BAD_DATE');
    expect(accepted(reverse(catalog, ledgerOf(member, entries), entries[0]!, reversal('r1', '2025-05-05T10:00:00.000Z'))).map((e) => e.points)).toEqual([-25]);
  });
});

// ---------------------------------------------------------------------------------------------
// Records: shape validation and planning against an in-memory ledger.

class MemoryView implements LedgerView {
  readonly members = new Map<string, Member>();
  readonly entries = new Map<string, LedgerEntry>();

  member(id: string): Member | undefined {
    return this.members.get(id);
  }

  memberByEmail(email: string): Member | undefined {
    const wanted = email.toLowerCase();
    return [...this.members.values()].find((m) => m.email.toLowerCase() === wanted);
  }

  entry(id: string): LedgerEntry | undefined {
    return this.entries.get(id);
  }

  entriesOf(memberId: string): readonly LedgerEntry[] {
    return [...this.entries.values()].filter((e) => e.memberId === memberId);
  }

  reversalOf(entryId: string): LedgerEntry | undefined {
    return [...this.entries.values()].find((e) => e.reverses === entryId);
  }

  apply(plan: RecordPlan): void {
    if (plan.known) return;
    if (plan.member) this.members.set(plan.member.id, plan.member);
    for (const entry of plan.entries) this.entries.set(entry.id, entry);
  }
}

const origin: Origin = { source: 'import', by: 'importer' };

/** Validates and plans one record, applying the plan when accepted. */
function submit(view: MemoryView, raw: unknown): Result<RecordPlan> {
  const parsed = parseRecord(raw);
  if (!parsed.ok) return parsed;
  const planned = planRecord(catalog, view, parsed.value, origin);
  if (planned.ok) view.apply(planned.value);
  return planned;
}

const adaRecord = { type: 'member', id: 'm-ada', email: 'Ada@Example.com', name: 'Ada', signedUpAt: '2024-01-15' };

function viewWithAda(): MemoryView {
  const view = new MemoryView();
  accepted(submit(view, adaRecord));
  return view;
}

describe('parseRecord()', () => {
  it.each([
    { what: 'a member', raw: adaRecord },
    { what: 'a member with a partner', raw: { ...adaRecord, partnerId: 'p-acme' } },
    { what: 'a credit', raw: { type: 'credit', id: 'c1', member: 'm-ada', action: 'qa.ask', at: '2025-01-01T10:00:00Z' } },
    {
      what: 'a credit with everything',
      raw: {
        type: 'credit',
        id: 'c1',
        member: 'ada@example.com',
        action: 'partner.host-event',
        at: '2025-01-01T10:00:00+01:00',
        points: 1000,
        days: 2,
        attendees: 3,
        note: 'Inspire tour',
        evidence: 'https://example.com/sheet',
      },
    },
    { what: 'a reversal', raw: { type: 'reversal', id: 'r1', reverses: 'c1', at: '2025-01-02T10:00:00.123Z', note: 'oops' } },
  ])('accepts $what, with its instant parsed to epoch milliseconds', ({ raw }) => {
    const expected = 'at' in raw && typeof raw.at === 'string' ? { ...raw, at: Date.parse(raw.at) } : raw;
    expect(accepted(parseRecord(raw))).toEqual(expected);
  });

  it.each([
    { what: 'not an object', raw: 'member' },
    { what: 'null', raw: null },
    { what: 'a missing type', raw: { id: 'm-1', email: 'a@example.com', name: 'A', signedUpAt: '2024-01-15' } },
    { what: 'an unknown type', raw: { ...adaRecord, type: 'person' } },
    { what: 'an unknown field', raw: { ...adaRecord, nickname: 'ada' } },
    { what: 'a bad email', raw: { ...adaRecord, email: 'ada-at-example.com' } },
    { what: 'a missing name', raw: { type: 'member', id: 'm-ada', email: 'ada@example.com', signedUpAt: '2024-01-15' } },
    { what: 'an empty name', raw: { ...adaRecord, name: '   ' } },
    { what: 'a bad date', raw: { ...adaRecord, signedUpAt: '2025-02-30' } },
    { what: 'a date with a time', raw: { ...adaRecord, signedUpAt: '2025-01-01T00:00:00Z' } },
    { what: 'an id with a space', raw: { ...adaRecord, id: 'm ada' } },
    { what: 'an instant without offset', raw: { type: 'credit', id: 'c1', member: 'm-ada', action: 'qa.ask', at: '2025-01-01T10:00:00' } },
    { what: 'a date as instant', raw: { type: 'credit', id: 'c1', member: 'm-ada', action: 'qa.ask', at: '2025-01-01' } },
    { what: 'an impossible instant', raw: { type: 'credit', id: 'c1', member: 'm-ada', action: 'qa.ask', at: '2025-02-30T10:00:00Z' } },
    { what: 'non-integer points', raw: { type: 'credit', id: 'c1', member: 'm-ada', action: 'docs.typo', at: '2025-01-01T10:00:00Z', points: 30.5 } },
    { what: 'points as text', raw: { type: 'credit', id: 'c1', member: 'm-ada', action: 'docs.typo', at: '2025-01-01T10:00:00Z', points: '30' } },
    { what: 'evidence not a link', raw: { type: 'credit', id: 'c1', member: 'm-ada', action: 'qa.ask', at: '2025-01-01T10:00:00Z', evidence: 'sheet.pdf' } },
    { what: 'a credit without a member', raw: { type: 'credit', id: 'c1', action: 'qa.ask', at: '2025-01-01T10:00:00Z' } },
    { what: 'a reversal without a target', raw: { type: 'reversal', id: 'r1', at: '2025-01-01T10:00:00Z' } },
    { what: 'a reversal with points', raw: { type: 'reversal', id: 'r1', reverses: 'c1', at: '2025-01-01T10:00:00Z', points: 10 } },
  ])('refuses $what', ({ raw }) => {
    const result = parseRecord(raw);
    expect(result.ok).toBe(false);
    expect(refusedWith(result)).toBe('INVALID_RECORD');
  });
});

describe('planRecord()', () => {
  const askRecord = { type: 'credit', id: 'c1', member: 'ada@example.com', action: 'qa.ask', at: '2025-01-01T10:00:00Z' };

  it('plans a new member with the email in lower case', () => {
    const view = new MemoryView();
    expect(accepted(submit(view, adaRecord))).toEqual({
      known: false,
      member: { id: 'm-ada', email: 'ada@example.com', name: 'Ada', signedUpAt: '2024-01-15' },
      entries: [],
    });
  });

  it('treats the same member again as known, and a different one with the same id as ID_CONFLICT', () => {
    const view = viewWithAda();
    expect(accepted(submit(view, adaRecord))).toEqual({ known: true });
    expect(accepted(submit(view, { ...adaRecord, email: 'ADA@example.com' }))).toEqual({ known: true });
    expect(refusedWith(submit(view, { ...adaRecord, name: 'Ada Lovelace' }))).toBe('ID_CONFLICT');
    expect(refusedWith(submit(view, { ...adaRecord, signedUpAt: '2024-01-16' }))).toBe('ID_CONFLICT');
    expect(view.member('m-ada')?.name).toBe('Ada');
  });

  it('refuses a second member with an email already taken', () => {
    const view = viewWithAda();
    expect(refusedWith(submit(view, { ...adaRecord, id: 'm-other', email: 'ada@example.com' }))).toBe('EMAIL_TAKEN');
    expect(refusedWith(submit(view, { ...adaRecord, id: 'm-other', email: 'ADA@EXAMPLE.COM' }))).toBe('EMAIL_TAKEN');
    expect(view.members.size).toBe(1);
  });

  it('plans a credit for a member found by id or by email', () => {
    const view = viewWithAda();
    const byEmail = accepted(submit(view, askRecord));
    expect(byEmail).toEqual({
      known: false,
      entries: [
        {
          id: 'c1',
          memberId: 'm-ada',
          action: 'qa.ask',
          at: '2025-01-01T10:00:00.000Z',
          points: 10,
          inputs: {},
          source: 'import',
          by: 'importer',
          edition: '2025-devops-points',
        },
      ],
    });
    const byId = accepted(submit(view, { ...askRecord, id: 'c2', member: 'm-ada', action: 'docs.typo', points: 40 }));
    expect(byId.known ? [] : byId.entries.map((e) => [e.id, e.memberId, e.points])).toEqual([['c2', 'm-ada', 40]]);
  });

  it('treats the same credit again as known, never a double credit', () => {
    const view = viewWithAda();
    accepted(submit(view, { ...askRecord, note: 'first', evidence: 'https://example.com/q/1' }));
    expect(accepted(submit(view, { ...askRecord, note: 'first', evidence: 'https://example.com/q/1' }))).toEqual({ known: true });
    // The same instant written with another offset is the same content.
    expect(accepted(submit(view, { ...askRecord, at: '2025-01-01T11:00:00+01:00', note: 'first', evidence: 'https://example.com/q/1' }))).toEqual({
      known: true,
    });
    expect(view.entries.size).toBe(1);
  });

  it.each([
    { what: 'another action', change: { action: 'qa.answer' } },
    { what: 'another instant', change: { at: '2025-01-01T10:00:01Z' } },
    { what: 'another note', change: { note: 'changed' } },
    { what: 'other inputs', change: { action: 'docs.typo', points: 30 } },
  ])('refuses the same credit id with $what as ID_CONFLICT', ({ change }) => {
    const view = viewWithAda();
    accepted(submit(view, askRecord));
    expect(refusedWith(submit(view, { ...askRecord, ...change }))).toBe('ID_CONFLICT');
    expect(view.entries.get('c1')?.action).toBe('qa.ask');
  });

  it('refuses a credit whose bonus id is already used', () => {
    const view = viewWithAda();
    // A record id cannot contain "+", so the clash is put in the ledger directly.
    expect(parseRecord({ ...askRecord, id: 'k1+bonus' }).ok).toBe(false);
    const clash = accepted(credit(catalog, ledgerOf(view.member('m-ada')!, []), request('qa.ask', '2025-01-01T10:00:00Z', {}, 'k1+bonus')));
    view.apply({ known: false, entries: clash });
    const kata = { type: 'credit', id: 'k1', member: 'm-ada', action: 'kata.complete', at: '2025-03-02T10:00:00Z', releasedAt: '2025-03-01' };
    expect(refusedWith(submit(view, kata))).toBe('ID_CONFLICT');
    expect(view.entry('k1')).toBeUndefined();
  });

  it('refuses a credit for an unknown member', () => {
    const view = viewWithAda();
    expect(refusedWith(submit(view, { ...askRecord, member: 'bob@example.com' }))).toBe('UNKNOWN_MEMBER');
    expect(refusedWith(submit(view, { ...askRecord, member: 'm-bob' }))).toBe('UNKNOWN_MEMBER');
  });

  it("passes on the rules' refusals", () => {
    const view = viewWithAda();
    expect(refusedWith(submit(view, { ...askRecord, action: 'docs.typo', points: 60 }))).toBe('OUT_OF_RANGE');
    expect(refusedWith(submit(view, { ...askRecord, action: 'kata.early' }))).toBe('AUTOMATIC_ACTION');
    expect(refusedWith(submit(view, { ...askRecord, at: '2024-01-14T22:59:59Z' }))).toBe('BEFORE_SIGN_UP');
    expect(view.entries.size).toBe(0);
  });

  it('plans a reversal, treats it again as known, and refuses a second reversal of the same entry', () => {
    const view = viewWithAda();
    accepted(submit(view, askRecord));
    const rev = { type: 'reversal', id: 'r1', reverses: 'c1', at: '2025-01-02T10:00:00Z', note: 'spam' };
    const plan = accepted(submit(view, rev));
    expect(plan.known ? [] : plan.entries.map((e) => [e.id, e.reverses, e.points, e.memberId, e.note])).toEqual([['r1', 'c1', -10, 'm-ada', 'spam']]);
    expect(accepted(submit(view, rev))).toEqual({ known: true });
    expect(refusedWith(submit(view, { ...rev, note: 'other' }))).toBe('ID_CONFLICT');
    expect(refusedWith(submit(view, { ...rev, id: 'r2' }))).toBe('ALREADY_REVERSED');
    expect(refusedWith(submit(view, { ...rev, id: 'r3', reverses: 'r1' }))).toBe('REVERSAL_OF_REVERSAL');
    expect(refusedWith(submit(view, { ...rev, id: 'c1' }))).toBe('ID_CONFLICT');
    expect([...view.entries.keys()]).toEqual(['c1', 'r1']);
  });

  it('refuses a reversal of an unknown entry, and one dated before its entry', () => {
    const view = viewWithAda();
    accepted(submit(view, askRecord));
    expect(refusedWith(submit(view, { type: 'reversal', id: 'r1', reverses: 'c404', at: '2025-01-02T10:00:00Z' }))).toBe('UNKNOWN_ENTRY');
    expect(refusedWith(submit(view, { type: 'reversal', id: 'r1', reverses: 'c1', at: '2025-01-01T09:59:59Z' }))).toBe('BAD_DATE');
    expect(view.entries.size).toBe(1);
  });

  it('reverses a kata and its bonus through a record', () => {
    const view = viewWithAda();
    accepted(submit(view, { type: 'credit', id: 'k1', member: 'm-ada', action: 'kata.complete', at: '2025-03-02T10:00:00Z', releasedAt: '2025-03-01' }));
    const plan = accepted(submit(view, { type: 'reversal', id: 'r1', reverses: 'k1', at: '2025-03-03T10:00:00Z' }));
    expect(plan.known ? [] : plan.entries.map((e) => [e.id, e.reverses, e.points])).toEqual([
      ['r1', 'k1', -75],
      ['r1+bonus', 'k1+bonus', -75],
    ]);
  });
});
