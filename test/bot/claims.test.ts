// The claim cards' actions through BotApp over a real store: submit, review, approve, reject; the
// cards that come back and what the store holds after. Invoke and Action.Submit over HTTP: flows.test.ts.
import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/cards/cards.js';
import { appPerTest, type Person } from '../support/bot-app.js';

const ann: Person = { userId: 'aad-ann', name: 'Ann Peeters' };
const cas: Person = { userId: 'aad-cas', name: 'Cas Janssens' };
const admin: Person = { userId: 'aad-admin', name: 'Ada Admin', admin: true };
const admin2: Person = { userId: 'aad-admin2', name: 'Max Admin', admin: true };

const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' },
  { type: 'member', id: 'aad-cas', email: 'cas@example.com', name: 'Cas Janssens', signedUpAt: '2025-05-01' },
  { type: 'member', id: 'aad-admin', email: 'ada@example.com', name: 'Ada Admin', signedUpAt: '2024-01-01' },
];

const bot = appPerTest(seed);

/** The card id of the form a command gives, as its submit action carries it. */
async function cardIdFrom(from: Person, command: string): Promise<string> {
  const [card] = (await bot().app.command(bot().caller(from), command)).cards as (Card & { actions: { data: { cardId: string } }[] })[];
  return card!.actions[0]!.data.cardId;
}

const act = (from: Person, verb: string, data: Record<string, unknown>) => bot().act(from, verb, { verb, ...data });

const state = () => ({
  ledger: [...bot().store.state.ledger.values()],
  claims: [...bot().store.state.claims.values()],
  notifications: [...bot().store.state.notifications.values()],
});

describe('a claim for a catalog action', () => {
  it('shows the errors on the card and keeps what was typed', async () => {
    const cardId = await cardIdFrom(ann, 'claim');
    const before = state();
    const { reply, text } = await act(ann, 'claim.submit', { cardId, action: 'training.internal', date: '2027-01-01', evidence: 'not a link', details: 'Trained my team' });
    expect(text).toContain('2027-01-01 is in the future');
    expect(text).toContain('must be a web link starting with https://');
    expect(JSON.stringify(reply.cards)).toContain('"value":"Trained my team"');
    expect(state()).toEqual(before);
  });

  it('becomes a pending claim once, whatever the replays', async () => {
    const cardId = await cardIdFrom(ann, '/claim');
    const data = { cardId, action: 'docs.typo', date: '2026-11-20', evidence: 'https://github.com/SkylineCommunications/dataminer-docs/pull/1', details: 'Typo on the alarm page' };
    const first = await act(ann, 'claim.submit', data);
    expect(first.text).toContain('Claim submitted');
    expect(first.text).toContain(`Claim claim-${cardId} is waiting for an administrator.`);
    expect(first.text).toContain('Action: Correct a typo or grammar');
    const again = await act(ann, 'claim.submit', data);
    expect(again.text).toContain(`This card was already submitted as claim claim-${cardId}, which is pending. Nothing was added.`);
    expect([...bot().store.state.claims.values()]).toEqual([
      {
        id: `claim-${cardId}`,
        kind: 'action',
        submittedBy: 'aad-ann',
        submittedAt: '2026-11-23T12:00:00.000Z',
        action: 'docs.typo',
        dates: ['2026-11-20'],
        evidence: 'https://github.com/SkylineCommunications/dataminer-docs/pull/1',
        details: 'Typo on the alarm page',
        status: 'pending',
      },
    ]);
  });

  it('refuses a card without a valid card id, and someone not enrolled', async () => {
    expect((await act(ann, 'claim.submit', { cardId: 'short', action: 'qa.ask', date: '2026-11-20' })).text).toContain('This card is not valid any more');
    expect((await act(ann, 'claim.submit', { action: 'qa.ask', date: '2026-11-20' })).text).toContain('This card is not valid any more');
    expect((await act({ userId: 'aad-zoe', name: 'Zoe' }, 'claim.submit', { cardId: 'abcdefgh-1', action: 'qa.ask', date: '2026-11-20' })).text).toContain('You are not enrolled');
    expect(bot().store.state.claims.size).toBe(0);
  });

  it('takes identity from the caller, never from the card data', async () => {
    const cardId = await cardIdFrom(ann, 'claim');
    await act(ann, 'claim.submit', { cardId, action: 'qa.ask', date: '2026-11-20', submittedBy: 'aad-cas', userId: 'aad-admin', isAdmin: true });
    const claim = bot().store.state.claims.get(`claim-${cardId}`)!;
    expect(claim.submittedBy).toBe('aad-ann');
    const before = state();
    const { text } = await act(ann, 'claim.approve', { claimId: claim.id, isAdmin: true, userId: 'aad-admin', reviewer: 'aad-admin' });
    expect(text).toContain('**claim.approve** is for administrators. Nothing was changed.');
    expect(state()).toEqual(before);
  });

  it('is approved with the reviewer’s points for a range rule, credited at approval, and the member notified', async () => {
    const cardId = await cardIdFrom(ann, 'claim');
    await act(ann, 'claim.submit', { cardId, action: 'docs.typo', date: '2026-11-20' });
    const review = await bot().say(admin, 'review');
    expect(review).toContain('1 claim waiting.');
    expect(review).toContain('Claim by Ann Peeters');
    const claimId = `claim-${cardId}`;
    const notWhole = await act(admin, 'claim.approve', { claimId, points: '4.5' });
    expect(notWhole.text).toContain('Points and days must be whole numbers.');
    const tooMany = await act(admin, 'claim.approve', { claimId, points: '70' });
    expect(tooMany.text).toContain('Not approved: docs.typo needs "points", a whole number from 25 to 50 (got 70).');
    expect(tooMany.text).toContain('Claim by Ann Peeters');
    expect(bot().store.state.claims.get(claimId)!.status).toBe('pending');
    const ok = await act(admin, 'claim.approve', { claimId, points: '45' });
    expect(ok.text).toContain(`Claim ${claimId} approved`);
    expect(ok.text).toContain('Ann Peeters: +45 points');
    expect(bot().store.state.entriesOf('aad-ann')).toEqual([expect.objectContaining({ id: `${claimId}.1`, action: 'docs.typo', points: 45, source: 'bot', by: 'aad-admin', at: '2026-11-23T12:00:00.000Z' })]);
    expect(bot().store.state.claims.get(claimId)).toMatchObject({ status: 'approved', decidedBy: 'aad-admin', points: 45, credited: [`${claimId}.1`] });
    expect(bot().store.state.notifications.get(`claim-decision:${claimId}:aad-ann`)).toMatchObject({ status: 'approved', points: 45, delivery: 'pending' });
  });

  it('stays decided: a replayed approval or a second reviewer sees the decision, one credit', async () => {
    const cardId = await cardIdFrom(ann, 'claim');
    await act(ann, 'claim.submit', { cardId, action: 'qa.ask', date: '2026-11-20' });
    const claimId = `claim-${cardId}`;
    await act(admin, 'claim.approve', { claimId });
    const replay = await act(admin, 'claim.approve', { claimId });
    expect(replay.text).toContain(`Claim ${claimId} was approved by Ada Admin on 2026-11-23. Nothing was changed.`);
    const second = await act(admin2, 'claim.reject', { claimId, reason: 'dup' });
    expect(second.text).toContain('Claim already approved');
    expect(bot().store.state.entriesOf('aad-ann')).toHaveLength(1);
    expect(bot().store.state.claims.get(claimId)!.status).toBe('approved');
  });

  it('is rejected only with a reason, which the member is told', async () => {
    const cardId = await cardIdFrom(ann, 'claim');
    await act(ann, 'claim.submit', { cardId, action: 'qa.ask', date: '2026-11-20' });
    const claimId = `claim-${cardId}`;
    const noReason = await act(admin, 'claim.reject', { claimId, reason: '  ' });
    expect(noReason.text).toContain('Not rejected: give the member a reason for the rejection.');
    const rejected = await act(admin, 'claim.reject', { claimId, reason: 'No question found on Dojo' });
    expect(rejected.text).toContain(`Claim ${claimId} rejected`);
    expect(rejected.text).toContain('Reason given to the member: No question found on Dojo');
    expect(bot().store.state.notifications.get(`claim-decision:${claimId}:aad-ann`)).toMatchObject({ status: 'rejected', points: 0, reason: 'No question found on Dojo' });
    expect(bot().store.state.entriesOf('aad-ann')).toHaveLength(0);
  });

  it('answers an unknown claim or verb in a sentence', async () => {
    expect((await act(admin, 'claim.approve', { claimId: 'claim-nope' })).text).toContain('No such claim. Type **review** for the claims waiting.');
    expect((await act(admin, 'claim.reject', { reason: 'x' })).text).toContain('No such claim');
    expect((await bot().act(admin, 'claim.explode', {})).text).toContain('This card action is not known.');
  });
});

describe('training attendance', () => {
  const attendance = (cardId: string, extra: Record<string, unknown> = {}) => ({
    cardId,
    title: 'DataMiner Automation training',
    kind: 'internal',
    role: 'trainer',
    from: '2026-11-16',
    to: '2026-11-18',
    attendees: 'cas@example.com, newbie@example.com; ANN@example.com',
    evidence: 'https://example.com/attendance-sheet.pdf',
    ...extra,
  });

  it('needs proof for an internal session, valid emails and days', async () => {
    const cardId = await cardIdFrom(ann, 'attendance');
    const { text } = await act(ann, 'attendance.submit', attendance(cardId, { evidence: '', attendees: 'cas@example.com, not-an-email', from: '2026-11-18', to: '2026-11-16' }));
    expect(text).toContain('an internal session needs the link to the signed attendance sheet');
    expect(text).toContain('not an email address: not-an-email');
    expect(text).toContain('the last day comes before the first');
    expect(bot().store.state.claims.size).toBe(0);
  });

  it('credits 500 a day to each enrolled person on approval, and names who was not credited', async () => {
    const cardId = await cardIdFrom(ann, 'attendance');
    const submitted = await act(ann, 'attendance.submit', attendance(cardId));
    expect(submitted.text).toContain('Claim submitted');
    expect(submitted.text).toContain('2026-11-16, 2026-11-17, 2026-11-18');
    expect(submitted.text).toContain('Also attended: cas@example.com, newbie@example.com');
    const claimId = `claim-${cardId}`;
    const { text } = await act(admin, 'claim.approve', { claimId });
    expect(text).toContain('Ann Peeters: +1,500 points');
    expect(text).toContain('Cas Janssens: +1,500 points');
    expect(text).toContain('Not credited, because they are not enrolled in the program: newbie@example.com');
    expect(bot().store.state.entriesOf('aad-ann').map((e) => [e.action, e.points, e.inputs.days])).toEqual([['training.internal', 1500, 3]]);
    expect(bot().store.state.entriesOf('aad-cas').map((e) => e.points)).toEqual([1500]);
    expect(bot().store.state.notifications.get(`claim-decision:${claimId}:aad-ann`)).toMatchObject({ points: 1500, notCredited: ['newbie@example.com'] });
    expect(bot().store.state.notifications.get(`claim-decision:${claimId}:aad-cas`)).toMatchObject({ points: 1500 });
  });

  it('takes a list of days that are not consecutive', async () => {
    const cardId = await cardIdFrom(cas, 'attendance');
    await act(cas, 'attendance.submit', attendance(cardId, { kind: 'event', role: 'participant', from: '', to: '', dates: '2026-11-02, 2026-11-04', attendees: '', evidence: '' }));
    await act(admin, 'claim.approve', { claimId: `claim-${cardId}` });
    expect(bot().store.state.entriesOf('aad-cas').map((e) => [e.action, e.points])).toEqual([['training.event', 1000]]);
  });
});

describe('a per-day action claim', () => {
  it('is credited for the days the reviewer chooses, else its dates', async () => {
    const first = await cardIdFrom(ann, 'claim');
    await act(ann, 'claim.submit', { cardId: first, action: 'training.event', date: '2026-11-20' });
    await act(admin, 'claim.approve', { claimId: `claim-${first}`, days: '2' });
    const second = await cardIdFrom(ann, 'claim');
    await act(ann, 'claim.submit', { cardId: second, action: 'training.event', date: '2026-11-21' });
    await act(admin, 'claim.approve', { claimId: `claim-${second}` });
    expect(bot().store.state.entriesOf('aad-ann').map((e) => [e.inputs.days, e.points])).toEqual([
      [2, 1000],
      [1, 500],
    ]);
  });
});
