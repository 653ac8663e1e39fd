// Every command, straight through BotApp over a real store (no HTTP): the words and cards a person
// gets and what the store holds after. The Teams protocol itself is in flows.test.ts.
import { describe, expect, it } from 'vitest';
import { appPerTest, NOW, type Person } from '../support/bot-app.js';

const ann: Person = { userId: 'aad-ann', name: 'Ann Peeters' };
const bob: Person = { userId: 'aad-bob', name: 'Bob Claes', email: 'Bob@Example.com' };
const admin: Person = { userId: 'aad-admin', name: 'Ada Admin', admin: true };
const stranger: Person = { userId: 'aad-eve', name: 'Eve', email: 'eve@example.com' };
// Nia's first renewal is 2026-12-23: her reminders are near.
const nia: Person = { userId: 'aad-nia', name: 'Nia Dewulf' };

const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' },
  { type: 'member', id: 'imported-bob', email: 'bob@example.com', name: 'Bob Claes', signedUpAt: '2025-01-10' },
  { type: 'member', id: 'aad-admin', email: 'ada@example.com', name: 'Ada Admin', signedUpAt: '2024-01-01' },
  { type: 'member', id: 'aad-nia', email: 'nia@example.com', name: 'Nia Dewulf', signedUpAt: '2025-12-23' },
  { type: 'credit', id: 'c1', member: 'aad-ann', action: 'cert.configurator', at: '2026-06-12T08:00:00Z' },
  { type: 'credit', id: 'c2', member: 'aad-ann', action: 'docs.add-info', at: '2026-09-24T08:00:00Z', points: 4400 },
  { type: 'credit', id: 'c3', member: 'aad-ann', action: 'qa.answer', at: '2026-11-20T08:00:00Z' },
  { type: 'credit', id: 'c4', member: 'bob@example.com', action: 'qa.ask', at: '2026-11-02T08:00:00Z' },
];

const bot = appPerTest(seed);

describe('/points', () => {
  it('shows my status card with the numbers of my membership year', async () => {
    const reply = await bot().app.command(bot().caller(ann), '/points');
    expect(reply.text).toBeUndefined();
    expect(reply.cards).toHaveLength(1);
    const text = await bot().say(ann, '/points');
    expect(text).toContain('Ann Peeters');
    expect(text).toContain('DevOps Enabler');
    expect(text).toContain('5,175');
    expect(text).toContain('9,825 more points this year to reach Catalyst (15,000)');
    expect(text).toContain('To keep your level: Enabler is secured for your renewal on 2027-04-12');
    expect(text).toContain('Renewal: 2027-04-12, in 140 days');
    expect(text).toMatch(/2026-11-20[\s\S]*Answer a question[\s\S]*\+25/);
  });

  it('lists the latest five entries newest first', async () => {
    const h = bot();
    for (let i = 1; i <= 3; i += 1) await h.say(admin, `award ann@example.com qa.comment note ${i}`);
    const text = await h.say(ann, 'points');
    const dates = [...text.matchAll(/^(\d{4}-\d{2}-\d{2}): /gm)].map((m) => m[1]);
    expect(dates).toEqual(['2026-11-23', '2026-11-23', '2026-11-23', '2026-11-20', '2026-09-24']);
  });

  it.each(['points', 'POINTS', '/Points', '  /points  '])('understands %j', async (text) => {
    expect(await bot().say(ann, text)).toContain('DevOps Enabler');
  });

  it('finds a member imported under another id through the email Teams knows', async () => {
    const reply = await bot().say(bob, 'points');
    expect(reply).toContain('Bob Claes');
    expect(reply).toContain('No DevOps level yet');
    expect(reply).toContain('10');
  });

  it('tells someone who is not enrolled how to join', async () => {
    expect(await bot().say(stranger, 'points')).toContain('Type **join** to enrol');
  });
});

describe('other member commands', () => {
  it('/history lists this membership year, newest first, paged', async () => {
    const reply = await bot().say(ann, 'history');
    expect(reply).toContain('Your points since 2026-04-12 (page 1 of 1)');
    expect(reply.indexOf('2026-11-20')).toBeLessThan(reply.indexOf('2026-06-12'));
    expect(await bot().say(ann, 'history 2')).toContain('There is only 1 page');
    expect(await bot().say(ann, 'history two')).toContain('Give a page number');
    expect(await bot().say(ann, 'history 0')).toContain('Give a page number');
  });

  it('/history pages by ten and marks a reversed entry', async () => {
    const h = bot();
    for (let i = 1; i <= 11; i += 1) await h.say(admin, `award ann@example.com qa.comment note ${i}`);
    await h.say(admin, 'revoke c3 answer was removed');
    const first = await h.say(ann, 'history');
    expect(first).toContain('(page 1 of 2)');
    expect(first).toContain('Type **history 2** for older entries.');
    const second = await h.say(ann, 'history 2');
    expect(second).toContain('(page 2 of 2)');
    expect(second).toContain('Answer a question · (reversed)');
    expect(await h.say(ann, 'history 3')).toContain('There are only 2 pages');
  });

  it('/levels gives the thresholds and the benefits', async () => {
    const reply = await bot().say(stranger, 'levels');
    expect(reply).toContain('Advocate: 750 points per year');
    expect(reply).toContain('Catalyst: 15,000 points per year');
    expect(reply).toContain('Free personal DataMiner licenses');
  });

  it('/earn lists topics, and the actions of one', async () => {
    expect(await bot().say(ann, 'earn')).toContain('qa: Q&A on Dojo');
    expect(await bot().say(ann, 'earn docs')).toContain('Add missing information to the documentation: 1 to 5,000 points');
    expect(await bot().say(ann, 'earn feedback')).toContain('50 points, at most 100 a month');
    expect(await bot().say(ann, 'earn juggling')).toContain('No topic or action matches "juggling"');
  });

  it('/join enrols me today with the email Teams knows, once', async () => {
    const reply = await bot().say(stranger, 'join');
    expect(reply).toContain('Welcome to the DevOps Professional Program');
    expect(reply).toContain('Your membership year runs from today, 2026-11-23. Reach Advocate with 750 points.');
    expect(bot().store.state.member('aad-eve')).toEqual({ id: 'aad-eve', email: 'eve@example.com', name: 'Eve', signedUpAt: '2026-11-23' });
    expect(await bot().say(stranger, 'join')).toContain('you joined on 2026-11-23');
  });

  it('/join refuses without an email, and finds a member by the email Teams knows, writing nothing', async () => {
    const before = [...bot().store.state.members.values()];
    expect(await bot().say({ userId: 'aad-x', name: 'X' }, 'join')).toBe(
      'Teams did not give me your email address, which the program needs. Ask an administrator to enrol you.',
    );
    expect(await bot().say({ userId: 'aad-y', name: 'Y', email: 'ANN@example.com' }, 'join')).toBe('You are already enrolled: you joined on 2026-04-12.');
    expect([...bot().store.state.members.values()]).toEqual(before);
  });

  it('/leaderboard ranks the month and the year, and honours opting out', async () => {
    const month = await bot().say(bob, 'leaderboard');
    expect(month).toContain('Leaderboard 2026-11');
    expect(month).toMatch(/1\. Ann Peeters: 25 points[\s\S]*2\. Bob Claes: 10 points/);
    expect(month).toContain('You are number 2 of 2 with 10 points.');
    expect(await bot().say(ann, 'leaderboard year')).toContain('1. Ann Peeters: 5,175 points');
    expect(await bot().say(ann, 'leaderboard optout')).toContain('no longer shown');
    expect(bot().store.state.preferences.get('aad-ann')).toEqual({ id: 'aad-ann', leaderboardOptOut: true });
    const after = await bot().say(bob, 'leaderboard');
    expect(after).not.toContain('Ann Peeters');
    expect(after).toContain('You are number 1 of 1');
    expect(await bot().say(ann, 'leaderboard')).toContain('you opted out');
    expect(await bot().say(ann, 'leaderboard optin')).toBe('You are shown on the leaderboard again.');
    expect(await bot().say(bob, 'leaderboard')).toContain('Ann Peeters');
    expect(await bot().say(admin, 'leaderboard')).toContain('You have no points in this period yet.');
    expect(await bot().say(stranger, 'leaderboard optout')).toContain('You are not enrolled');
    expect(await bot().say(ann, 'leaderboard week')).toContain('Use **leaderboard month**');
  });

  it('/claim and /attendance give empty forms with every catalog action to choose from', async () => {
    expect(await bot().say(ann, 'attendance')).toContain('Training attendance');
    expect(await bot().say(ann, 'claim')).toContain('Claim DevOps Points');
    const card = JSON.stringify((await bot().app.command(bot().caller(ann), 'claim')).cards);
    expect(card).toContain('"value":"docs.typo"');
    expect(card).not.toContain('"value":"kata.early"');
    expect(await bot().say(stranger, 'claim')).toContain('Type **join** to enrol');
    expect(await bot().say(stranger, 'attendance')).toContain('Type **join** to enrol');
  });

  it('/help lists the commands; administrators see theirs too', async () => {
    const member = await bot().say(ann, 'help');
    expect(member).toContain('**attendance**');
    expect(member).not.toContain('**award**');
    expect(member).toContain("**partner** [partner id]: Your partner organisation's credits and levels on both tracks (administrators: any partner's)");
    expect(member).toContain('**join**');
    expect(await bot().say(admin, '/help')).toContain('**award** <member email or id> <action> [points|days] [note]');
  });

  it('answers anything unknown with a short help, never silence', async () => {
    expect(await bot().say(ann, 'hello there')).toContain(`I don't know "hello"`);
    expect(await bot().say(ann, '   ')).toContain('an empty message');
    expect(await bot().say(ann, 'x'.repeat(2001))).toContain('That message is too long for a command (2,001 characters)');
  });
});

describe('/notifications', () => {
  it('shows the state, turns reminders off and on, and the status card follows', async () => {
    expect(await bot().say(nia, '/notifications')).toContain('Renewal reminders are **on**; the next one is on 2026-12-16');
    expect(await bot().say(nia, 'points')).toContain('Next reminder: 2026-12-16');
    expect(await bot().say(nia, 'notifications off')).toContain('Renewal reminders are off');
    expect(bot().store.state.preferences.get('aad-nia')).toEqual({ id: 'aad-nia', notificationsOff: true });
    expect(await bot().say(nia, 'points')).toContain('Next reminder: off');
    expect(await bot().say(nia, 'notifications')).toContain('Renewal reminders are **off**.');
    expect(await bot().say(nia, 'notifications ON')).toContain('Renewal reminders are on; the next one is on 2026-12-16.');
    expect(bot().store.state.preferences.get('aad-nia')).toEqual({ id: 'aad-nia', notificationsOff: false });
  });

  it('keeps other preferences, and asks a person who is not enrolled to join first', async () => {
    await bot().say(nia, 'leaderboard optout');
    await bot().say(nia, 'notifications off');
    expect(bot().store.state.preferences.get('aad-nia')).toEqual({ id: 'aad-nia', leaderboardOptOut: true, notificationsOff: true });
    expect(await bot().say({ userId: 'aad-zoe', name: 'Zoe' }, 'notifications off')).toContain('You are not enrolled');
    expect(await bot().say({ userId: 'aad-zoe', name: 'Zoe' }, 'notifications')).toContain('You are not enrolled');
  });
});

describe('administrator commands', () => {
  const snapshot = () => ({ members: [...bot().store.state.members.values()], ledger: [...bot().store.state.ledger.values()], claims: [...bot().store.state.claims.values()] });

  it.each(['review', 'award ann@example.com qa.ask', 'revoke c1 mistake', 'member ann@example.com'])('refuses %j to a non-administrator and changes nothing', async (command) => {
    const before = snapshot();
    expect(await bot().say(ann, command)).toContain('is for administrators. Nothing was changed.');
    expect(snapshot()).toEqual(before);
  });

  it('/award credits a member, with points for a range rule and a note', async () => {
    const reply = await bot().say(admin, 'award ann@example.com docs.typo 40 fixed the alarm page');
    expect(reply).toContain('Credited Ann Peeters');
    expect(reply).toContain('award-id-000001: +40 · Correct a typo or grammar');
    expect(bot().store.state.entry('award-id-000001')).toEqual({
      id: 'award-id-000001',
      memberId: 'aad-ann',
      action: 'docs.typo',
      at: new Date(NOW).toISOString(),
      points: 40,
      inputs: { points: 40 },
      source: 'admin',
      by: 'aad-admin',
      edition: bot().catalog.edition,
      note: 'fixed the alarm page',
    });
  });

  it('/award takes days for a per-day rule, and a note without an amount', async () => {
    await bot().say(admin, 'award bob@example.com training.event 2');
    await bot().say(admin, 'award aad-ann qa.ask great question');
    expect(bot().store.state.entriesOf('imported-bob').at(-1)).toMatchObject({ action: 'training.event', inputs: { days: 2 }, points: 1000 });
    expect(bot().store.state.entriesOf('aad-ann').at(-1)).toMatchObject({ action: 'qa.ask', inputs: {}, points: 10, note: 'great question' });
  });

  it('/award refuses what the rule refuses, and changes nothing', async () => {
    const before = snapshot();
    expect(await bot().say(admin, 'award ann@example.com docs.typo 99')).toContain('Not credited: docs.typo needs "points", a whole number from 25 to 50 (got 99). Nothing was changed.');
    expect(await bot().say(admin, 'award nobody@example.com qa.ask')).toBe('No member with id or email "nobody@example.com". Nothing was changed.');
    expect(await bot().say(admin, 'award nobody@example.com qa.nothing')).toContain('No member with id or email');
    expect(await bot().say(admin, 'award ann@example.com qa.nothing')).toBe('Unknown action "qa.nothing". Type **earn** and a topic to find the action ids. Nothing was changed.');
    expect(await bot().say(admin, 'award')).toContain('Usage: **award**');
    expect(snapshot()).toEqual(before);
  });

  it('/revoke reverses an entry once, with a reason', async () => {
    expect(await bot().say(admin, 'revoke c3')).toContain('Usage: **revoke**');
    const reply = await bot().say(admin, 'revoke c3 answer was removed');
    expect(reply).toContain('Reversed c3');
    expect(reply).toContain('revoke-id-000001: -25 · Correction: Answer a question · answer was removed');
    expect(bot().store.state.reversalOf('c3')).toEqual({
      id: 'revoke-id-000001',
      memberId: 'aad-ann',
      action: 'qa.answer',
      at: new Date(NOW).toISOString(),
      points: -25,
      inputs: {},
      source: 'admin',
      by: 'aad-admin',
      edition: bot().catalog.edition,
      reverses: 'c3',
      note: 'answer was removed',
    });
    expect(await bot().say(admin, 'revoke c3 again')).toBe('Not reversed: entry c3 was already reversed by revoke-id-000001. Nothing was changed.');
    expect(await bot().say(admin, 'revoke revoke-id-000001 undo')).toBe('Not reversed: revoke-id-000001 is itself a reversal and cannot be reversed. Nothing was changed.');
    expect(await bot().say(admin, 'revoke nope x')).toBe('Not reversed: no entry with id "nope". Nothing was changed.');
  });

  it('/member shows someone else’s status card', async () => {
    expect(await bot().say(admin, 'member ann@example.com')).toContain('DevOps Enabler');
    expect(await bot().say(admin, 'member nobody')).toContain('No member with id or email "nobody"');
    expect(await bot().say(admin, 'member')).toContain('Usage: **member**');
  });

  it('/review says when nothing waits', async () => {
    expect(await bot().say(admin, 'review')).toBe('No claims are waiting for review.');
  });
});
