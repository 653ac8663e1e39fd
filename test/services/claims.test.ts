// Claims as use cases over a real store: submitted once per card, decided once, by administrators
// only; every refusal a code, with nothing written.
import { describe, expect, it } from 'vitest';
import { approveClaim, rejectClaim, submitClaim } from '../../src/services/claims.js';
import type { Caller } from '../../src/services/context.js';
import { NOW, storePerTest } from '../support/seeded-store.js';

const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' },
  { type: 'member', id: 'aad-ada', email: 'ada@example.com', name: 'Ada Admin', signedUpAt: '2024-01-01' },
];

const seeded = storePerTest(seed);

const deps = () => ({ store: seeded().store, catalog: seeded().catalog, now: () => NOW });
const ann = (): Caller => ({ userId: 'aad-ann', name: 'Ann Peeters', isAdmin: false, member: seeded().store.state.member('aad-ann')! });
const ada = (): Caller => ({ userId: 'aad-ada', name: 'Ada Admin', isAdmin: true, member: seeded().store.state.member('aad-ada')! });
const contents = () => JSON.stringify([[...seeded().store.state.claims.values()], [...seeded().store.state.ledger.values()], [...seeded().store.state.notifications.values()]]);

const CARD = 'card-0001';
const submitted = async (fields: Record<string, unknown> = { action: 'docs.typo', date: '2026-11-20' }) => {
  const result = await submitClaim(deps(), ann(), { kind: 'action', cardId: CARD, fields });
  if (!result.ok) throw new Error(result.problem.code);
  return result.value.claim;
};

describe('submitClaim()', () => {
  it('keeps a pending claim named after the card', async () => {
    const claim = await submitted();
    expect(claim).toEqual({ id: `claim-${CARD}`, kind: 'action', submittedBy: 'aad-ann', submittedAt: '2026-11-23T12:00:00.000Z', action: 'docs.typo', dates: ['2026-11-20'], status: 'pending' });
    expect(seeded().store.state.claims.get(claim.id)).toEqual(claim);
  });

  it.each([
    { what: 'someone not enrolled', caller: (): Caller => ({ userId: 'aad-eve', name: 'Eve', isAdmin: false }), cardId: CARD, fields: {}, code: 'NOT_ENROLLED' },
    { what: 'a card id that is not one', caller: ann, cardId: 'x', fields: {}, code: 'INVALID_CARD' },
    { what: 'inputs that do not check', caller: ann, cardId: CARD, fields: { action: 'kata.early', date: '2027-01-01' }, code: 'INVALID_FIELDS' },
  ])('refuses $what with $code, writing nothing', async ({ caller, cardId, fields, code }) => {
    const before = contents();
    expect(await submitClaim(deps(), caller(), { kind: 'action', cardId, fields })).toMatchObject({ ok: false, problem: { code } });
    expect(contents()).toBe(before);
  });

  it('gives the errors of each input', async () => {
    const result = await submitClaim(deps(), ann(), { kind: 'attendance', cardId: CARD, fields: { title: '', kind: 'internal', role: 'x' } });
    expect(result.ok || result.problem).toMatchObject({ code: 'INVALID_FIELDS', errors: { title: 'give the title of the training or event', role: 'choose trainer or participant' } });
  });

  it('answers a replay of the card with the claim already kept', async () => {
    const claim = await submitted();
    expect(await submitClaim(deps(), ann(), { kind: 'action', cardId: CARD, fields: { action: 'qa.ask', date: '2026-11-21' } })).toMatchObject({ ok: false, problem: { code: 'ALREADY_SUBMITTED', claim } });
    expect([...seeded().store.state.claims.values()]).toEqual([claim]);
  });
});

describe('approveClaim() and rejectClaim()', () => {
  it('credit the claim at the approval, with the points chosen, and queue the member’s notice', async () => {
    const claim = await submitted();
    const result = await approveClaim(deps(), ada(), { claimId: claim.id, points: 40, days: 3 });
    expect(result).toMatchObject({ ok: true, value: { claim: { status: 'approved', decidedBy: 'aad-ada', points: 40 }, notCredited: [] } });
    // days are not the reviewer's to choose for a range rule: left out, not refused.
    expect(seeded().store.state.claims.get(claim.id)).not.toHaveProperty('days');
    expect(seeded().store.state.entriesOf('aad-ann')).toEqual([expect.objectContaining({ id: `${claim.id}.1`, points: 40, inputs: { points: 40 }, at: '2026-11-23T12:00:00.000Z', by: 'aad-ada', source: 'bot' })]);
    expect(seeded().store.state.notifications.get(`claim-decision:${claim.id}:aad-ann`)).toMatchObject({ status: 'approved', points: 40 });
  });

  it.each([
    { what: 'a non-administrator', as: ann, input: (id: string) => ({ claimId: id, points: 40 }), code: 'FOR_ADMINS' },
    { what: 'an unknown claim', as: ada, input: () => ({ claimId: 'claim-nope', points: 40 }), code: 'UNKNOWN_CLAIM' },
    { what: 'points out of the rule’s range', as: ada, input: (id: string) => ({ claimId: id, points: 70 }), code: 'OUT_OF_RANGE' },
    { what: 'no points for a range rule', as: ada, input: (id: string) => ({ claimId: id }), code: 'MISSING_INPUT' },
  ])('approval refuses $what with $code, writing nothing', async ({ as, input, code }) => {
    const claim = await submitted();
    const before = contents();
    expect(await approveClaim(deps(), as(), input(claim.id))).toMatchObject({ ok: false, problem: { code } });
    expect(contents()).toBe(before);
  });

  it('reject with a reason, and refuse without one', async () => {
    const claim = await submitted();
    expect(await rejectClaim(deps(), ada(), { claimId: claim.id, reason: ' ' })).toMatchObject({ ok: false, problem: { code: 'MISSING_REASON', claim } });
    expect(await rejectClaim(deps(), ann(), { claimId: claim.id, reason: 'no' })).toMatchObject({ ok: false, problem: { code: 'FOR_ADMINS' } });
    expect(await rejectClaim(deps(), ada(), { claimId: 'claim-nope', reason: 'no' })).toMatchObject({ ok: false, problem: { code: 'UNKNOWN_CLAIM' } });
    expect(await rejectClaim(deps(), ada(), { claimId: claim.id, reason: ' Not found on Dojo ' })).toMatchObject({ ok: true, value: { claim: { status: 'rejected', reason: 'Not found on Dojo' } } });
    expect(seeded().store.state.notifications.get(`claim-decision:${claim.id}:aad-ann`)).toMatchObject({ status: 'rejected', points: 0, reason: 'Not found on Dojo' });
  });

  it('a decided claim stays decided: ALREADY_DECIDED with the claim as decided, one credit', async () => {
    const claim = await submitted();
    await approveClaim(deps(), ada(), { claimId: claim.id, points: 40 });
    const decided = seeded().store.state.claims.get(claim.id)!;
    const before = contents();
    expect(await approveClaim(deps(), ada(), { claimId: claim.id, points: 45 })).toMatchObject({ ok: false, problem: { code: 'ALREADY_DECIDED', claim: decided } });
    expect(await rejectClaim(deps(), ada(), { claimId: claim.id, reason: 'dup' })).toMatchObject({ ok: false, problem: { code: 'ALREADY_DECIDED', claim: decided } });
    expect(contents()).toBe(before);
  });

  it('of two approvals arriving together, one credits and the other sees the decision', async () => {
    const claim = await submitted();
    const both = await Promise.all([approveClaim(deps(), ada(), { claimId: claim.id, points: 40 }), approveClaim(deps(), ada(), { claimId: claim.id, points: 45 })]);
    expect(both.map((r) => (r.ok ? 'approved' : r.problem.code))).toEqual(['approved', 'ALREADY_DECIDED']);
    expect(seeded().store.state.entriesOf('aad-ann').map((e) => e.points)).toEqual([40]);
  });
});
