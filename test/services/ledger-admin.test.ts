// An administrator's credits and reversals over a real store: planned as import records, so the
// import's checks apply; every refusal a code, with nothing written.
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src/services/context.js';
import { award, revoke } from '../../src/services/ledger-admin.js';
import { NOW, storePerTest } from '../support/seeded-store.js';

const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' },
  { type: 'credit', id: 'k1', member: 'aad-ann', action: 'kata.complete', at: '2026-11-20T08:00:00Z', releasedAt: '2026-11-18' },
  { type: 'credit', id: 'c1', member: 'aad-ann', action: 'qa.answer', at: '2026-11-20T08:00:00Z' },
  { type: 'credit', id: 'later', member: 'aad-ann', action: 'qa.ask', at: '2026-12-01T08:00:00Z' },
];

const seeded = storePerTest(seed);

let ids = 0;
const deps = () => ({ store: seeded().store, catalog: seeded().catalog, now: () => NOW, newId: () => `n${(ids += 1)}` });
const ada: Caller = { userId: 'aad-ada', name: 'Ada Admin', isAdmin: true };
const ann: Caller = { userId: 'aad-ann', name: 'Ann Peeters', isAdmin: false };
const ledger = () => JSON.stringify([...seeded().store.state.ledger.values()]);

describe('award()', () => {
  it.each([
    { what: 'points for a range rule', input: { member: 'ann@example.com', action: 'docs.typo', amount: 40 }, inputs: { points: 40 }, points: 40 },
    { what: 'days for a per-day rule', input: { member: 'aad-ann', action: 'training.event', amount: 2 }, inputs: { days: 2 }, points: 1000 },
    { what: 'a fixed rule, with a note', input: { member: 'aad-ann', action: 'qa.ask', note: ' good one ' }, inputs: {}, points: 10, note: 'good one' },
  ])('credits $what, now, as the administrator', async ({ input, inputs, points, note }) => {
    const result = await award(deps(), ada, input);
    expect(result).toMatchObject({ ok: true, value: { member: { id: 'aad-ann' }, entries: [{ inputs, points }] } });
    const [entry] = result.ok ? result.value.entries : [];
    expect(seeded().store.state.entry(entry!.id)).toEqual({
      id: entry!.id,
      memberId: 'aad-ann',
      action: input.action,
      at: '2026-11-23T12:00:00.000Z',
      points,
      inputs,
      source: 'admin',
      by: 'aad-ada',
      edition: seeded().catalog.edition,
      ...(note !== undefined && { note }),
    });
    expect(entry!.id).toMatch(/^award-n\d+$/);
  });

  it.each([
    { what: 'a non-administrator', caller: ann, input: { member: 'aad-ann', action: 'qa.ask' }, code: 'FOR_ADMINS' },
    { what: 'an unknown member (before an unknown action)', caller: ada, input: { member: 'nobody@example.com', action: 'qa.nothing' }, code: 'UNKNOWN_MEMBER' },
    { what: 'an unknown action', caller: ada, input: { member: 'aad-ann', action: 'qa.nothing' }, code: 'UNKNOWN_ACTION' },
    { what: 'points out of range', caller: ada, input: { member: 'aad-ann', action: 'docs.typo', amount: 99 }, code: 'OUT_OF_RANGE' },
    { what: 'an automatic bonus', caller: ada, input: { member: 'aad-ann', action: 'kata.early' }, code: 'AUTOMATIC_ACTION' },
  ])('refuses $what with $code, writing nothing', async ({ caller, input, code }) => {
    const before = ledger();
    expect(await award(deps(), caller, input)).toMatchObject({ ok: false, problem: { code } });
    expect(ledger()).toBe(before);
  });
});

describe('revoke()', () => {
  it('reverses an entry and the bonus it earned, with the reason, once', async () => {
    const result = await revoke(deps(), ada, { entryId: 'k1', reason: 'kata not done' });
    expect(result).toMatchObject({ ok: true, value: { member: { id: 'aad-ann' } } });
    const entries = result.ok ? result.value.entries : [];
    expect(entries.map((e) => [e.reverses, e.points, e.note, e.by, e.source])).toEqual([
      ['k1', -75, 'kata not done', 'aad-ada', 'admin'],
      ['k1+bonus', -75, 'kata not done', 'aad-ada', 'admin'],
    ]);
    expect(seeded().store.state.reversalOf('k1')).toEqual(entries[0]);
    expect(await revoke(deps(), ada, { entryId: 'k1', reason: 'again' })).toMatchObject({ ok: false, problem: { code: 'ALREADY_REVERSED', message: `entry k1 was already reversed by ${entries[0]!.id}` } });
  });

  it.each([
    { what: 'a non-administrator', caller: ann, entryId: 'c1', reason: 'x', code: 'FOR_ADMINS' },
    { what: 'no reason', caller: ada, entryId: 'c1', reason: '  ', code: 'MISSING_REASON' },
    { what: 'an unknown entry', caller: ada, entryId: 'nope', reason: 'x', code: 'UNKNOWN_ENTRY' },
    { what: 'an entry later than now', caller: ada, entryId: 'later', reason: 'x', code: 'BAD_DATE' },
  ])('refuses $what with $code, writing nothing', async ({ caller, entryId, reason, code }) => {
    const before = ledger();
    expect(await revoke(deps(), caller, { entryId, reason })).toMatchObject({ ok: false, problem: { code } });
    expect(ledger()).toBe(before);
  });

  it('refuses to reverse a reversal', async () => {
    const first = await revoke(deps(), ada, { entryId: 'c1', reason: 'dup' });
    const id = first.ok ? first.value.entries[0]!.id : '';
    expect(await revoke(deps(), ada, { entryId: id, reason: 'undo' })).toMatchObject({ ok: false, problem: { code: 'REVERSAL_OF_REVERSAL' } });
  });
});
