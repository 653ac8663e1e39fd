import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activity, cardText, invoke, message, readable, startBot, type BotHarness, type Speaker } from '../support/bot-server.js';

const ann: Speaker = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const cas: Speaker = { id: '29:cas', aadObjectId: 'aad-cas', name: 'Cas Janssens' };
const admin: Speaker = { id: '29:ada', aadObjectId: 'aad-admin', name: 'Ada Admin' };
const admin2: Speaker = { id: '29:max', aadObjectId: 'aad-admin2', name: 'Max Admin' };

const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' },
  { type: 'member', id: 'aad-cas', email: 'cas@example.com', name: 'Cas Janssens', signedUpAt: '2025-05-01' },
  { type: 'member', id: 'aad-admin', email: 'ada@example.com', name: 'Ada Admin', signedUpAt: '2024-01-01' },
];

let bot: BotHarness;
beforeEach(async () => {
  bot = await startBot({ seed, admins: ['aad-admin', 'aad-admin2'] });
});
afterEach(async () => bot.close());

/** Sends a card action as Universal Actions do; returns the card that replaces it. */
async function execute(from: Speaker, verb: string, data: Record<string, unknown>) {
  const response = await bot.post(invoke(bot, from, verb, data));
  expect(response.status).toBe(200);
  const body = response.body as { statusCode: number; type: string; value: unknown };
  expect(body.statusCode).toBe(200);
  expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
  return { card: body.value, text: cardText(body.value) };
}

async function cardIdFrom(from: Speaker, command: string): Promise<string> {
  bot.connector.clear();
  await bot.post(message(bot, from, command));
  const card = (bot.connector.sent()[0]!.attachments as { content: { actions: { data: { cardId: string; verb: string } }[] } }[])[0]!.content;
  return card.actions[0]!.data.cardId;
}

const state = () => ({
  ledger: [...bot.store.state.ledger.values()],
  claims: [...bot.store.state.claims.values()],
  notifications: [...bot.store.state.notifications.values()],
});

describe('a claim for a catalog action', () => {
  it('shows the errors on the card and keeps what was typed', async () => {
    const cardId = await cardIdFrom(ann, 'claim');
    const before = state();
    const { card, text } = await execute(ann, 'claim.submit', { verb: 'claim.submit', cardId, action: 'training.internal', date: '2027-01-01', evidence: 'not a link', details: 'Trained my team' });
    expect(text).toContain('2027-01-01 is in the future');
    expect(text).toContain('must be a web link starting with https://');
    expect(JSON.stringify(card)).toContain('"value":"Trained my team"');
    expect(state()).toEqual(before);
  });

  it('becomes a pending claim once, whatever the replays', async () => {
    const cardId = await cardIdFrom(ann, '/claim');
    const data = { verb: 'claim.submit', cardId, action: 'docs.typo', date: '2026-11-20', evidence: 'https://github.com/SkylineCommunications/dataminer-docs/pull/1', details: 'Typo on the alarm page' };
    const first = await execute(ann, 'claim.submit', data);
    expect(first.text).toContain('Claim submitted');
    const again = await execute(ann, 'claim.submit', data);
    expect(again.text).toContain('already submitted');
    expect([...bot.store.state.claims.values()]).toHaveLength(1);
    expect(bot.store.state.claims.get(`claim-${cardId}`)).toMatchObject({ status: 'pending', submittedBy: 'aad-ann', action: 'docs.typo', dates: ['2026-11-20'] });
  });

  it('takes identity from the activity, never from the card data', async () => {
    const cardId = await cardIdFrom(ann, 'claim');
    await execute(ann, 'claim.submit', { verb: 'claim.submit', cardId, action: 'qa.ask', date: '2026-11-20', submittedBy: 'aad-cas', userId: 'aad-admin', isAdmin: true });
    const claim = bot.store.state.claims.get(`claim-${cardId}`)!;
    expect(claim.submittedBy).toBe('aad-ann');
    // Card data claiming to be an administrator does not make an approval.
    const before = state();
    const { text } = await execute(ann, 'claim.approve', { verb: 'claim.approve', claimId: claim.id, isAdmin: true, userId: 'aad-admin', reviewer: 'aad-admin' });
    expect(text).toContain('is for administrators. Nothing was changed.');
    expect(state()).toEqual(before);
  });

  it('is approved with the reviewer’s points for a range rule, credited at approval, and the member notified', async () => {
    const cardId = await cardIdFrom(ann, 'claim');
    await execute(ann, 'claim.submit', { verb: 'claim.submit', cardId, action: 'docs.typo', date: '2026-11-20' });
    bot.connector.clear();
    await bot.post(message(bot, admin, 'review'));
    const review = readable(bot.connector.sent());
    expect(review).toContain('1 claim waiting');
    expect(review).toContain('Claim by Ann Peeters');
    const claimId = `claim-${cardId}`;
    const tooMany = await execute(admin, 'claim.approve', { verb: 'claim.approve', claimId, points: '70' });
    expect(tooMany.text).toContain('Not approved: docs.typo needs "points", a whole number from 25 to 50 (got 70).');
    expect(bot.store.state.claims.get(claimId)!.status).toBe('pending');
    const ok = await execute(admin, 'claim.approve', { verb: 'claim.approve', claimId, points: '45' });
    expect(ok.text).toContain(`Claim ${claimId} approved`);
    expect(ok.text).toContain('Ann Peeters: +45 points');
    expect(bot.store.state.entriesOf('aad-ann')).toEqual([expect.objectContaining({ action: 'docs.typo', points: 45, source: 'bot', by: 'aad-admin', at: '2026-11-23T12:00:00.000Z' })]);
    expect(bot.store.state.notifications.get(`claim-decision:${claimId}:aad-ann`)).toMatchObject({ status: 'approved', points: 45 });
  });

  it('stays decided: a replayed approval or a second reviewer sees the decision, one credit', async () => {
    const cardId = await cardIdFrom(ann, 'claim');
    await execute(ann, 'claim.submit', { verb: 'claim.submit', cardId, action: 'qa.ask', date: '2026-11-20' });
    const claimId = `claim-${cardId}`;
    await execute(admin, 'claim.approve', { verb: 'claim.approve', claimId });
    const replay = await execute(admin, 'claim.approve', { verb: 'claim.approve', claimId });
    expect(replay.text).toContain(`Claim ${claimId} was approved by Ada Admin on 2026-11-23. Nothing was changed.`);
    const second = await execute(admin2, 'claim.reject', { verb: 'claim.reject', claimId, reason: 'dup' });
    expect(second.text).toContain('Claim already approved');
    // The Action.Submit fallback arrives as a message with a value: same outcome.
    bot.connector.clear();
    await bot.post(activity(bot, admin2, { value: { verb: 'claim.approve', claimId } }));
    expect(readable(bot.connector.sent())).toContain('Claim already approved');
    expect(bot.store.state.entriesOf('aad-ann')).toHaveLength(1);
    expect(bot.store.state.claims.get(claimId)!.status).toBe('approved');
  });

  it('is rejected only with a reason, which the member is told', async () => {
    const cardId = await cardIdFrom(ann, 'claim');
    await execute(ann, 'claim.submit', { verb: 'claim.submit', cardId, action: 'qa.ask', date: '2026-11-20' });
    const claimId = `claim-${cardId}`;
    const noReason = await execute(admin, 'claim.reject', { verb: 'claim.reject', claimId, reason: '  ' });
    expect(noReason.text).toContain('Not rejected: give the member a reason for the rejection.');
    const rejected = await execute(admin, 'claim.reject', { verb: 'claim.reject', claimId, reason: 'No question found on Dojo' });
    expect(rejected.text).toContain(`Claim ${claimId} rejected`);
    expect(bot.store.state.notifications.get(`claim-decision:${claimId}:aad-ann`)).toMatchObject({ status: 'rejected', points: 0, reason: 'No question found on Dojo' });
    expect(bot.store.state.entriesOf('aad-ann')).toHaveLength(0);
  });
});

describe('training attendance', () => {
  const attendance = (cardId: string, extra: Record<string, unknown> = {}) => ({
    verb: 'attendance.submit',
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
    const { text } = await execute(ann, 'attendance.submit', attendance(cardId, { evidence: '', attendees: 'cas@example.com, not-an-email', from: '2026-11-18', to: '2026-11-16' }));
    expect(text).toContain('an internal session needs the link to the signed attendance sheet');
    expect(text).toContain('not an email address: not-an-email');
    expect(text).toContain('the last day comes before the first');
    expect(bot.store.state.claims.size).toBe(0);
  });

  it('credits 500 a day to each enrolled person on approval, and names who was not credited', async () => {
    const cardId = await cardIdFrom(ann, 'attendance');
    const submitted = await execute(ann, 'attendance.submit', attendance(cardId));
    expect(submitted.text).toContain('Claim submitted');
    expect(submitted.text).toContain('2026-11-16, 2026-11-17, 2026-11-18');
    const claimId = `claim-${cardId}`;
    const { text } = await execute(admin, 'claim.approve', { verb: 'claim.approve', claimId });
    expect(text).toContain('Ann Peeters: +1,500 points');
    expect(text).toContain('Cas Janssens: +1,500 points');
    expect(text).toContain('Not credited, because they are not enrolled in the program: newbie@example.com');
    expect(bot.store.state.entriesOf('aad-ann').map((e) => [e.action, e.points, e.inputs.days])).toEqual([['training.internal', 1500, 3]]);
    expect(bot.store.state.entriesOf('aad-cas').map((e) => e.points)).toEqual([1500]);
    expect(bot.store.state.notifications.get(`claim-decision:${claimId}:aad-ann`)).toMatchObject({ points: 1500, notCredited: ['newbie@example.com'] });
    expect(bot.store.state.notifications.get(`claim-decision:${claimId}:aad-cas`)).toMatchObject({ points: 1500 });
  });

  it('takes a list of days that are not consecutive', async () => {
    const cardId = await cardIdFrom(cas, 'attendance');
    await execute(cas, 'attendance.submit', attendance(cardId, { kind: 'event', role: 'participant', from: '', to: '', dates: '2026-11-02, 2026-11-04', attendees: '', evidence: '' }));
    await execute(admin, 'claim.approve', { verb: 'claim.approve', claimId: `claim-${cardId}` });
    expect(bot.store.state.entriesOf('aad-cas').map((e) => [e.action, e.points])).toEqual([['training.event', 1000]]);
  });
});
