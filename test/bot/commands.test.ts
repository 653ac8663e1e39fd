import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activity, message, NOW, readable, startBot, type BotHarness, type Speaker } from '../support/bot-server.js';

const ann: Speaker = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const bob: Speaker = { id: '29:bob', aadObjectId: 'aad-bob', name: 'Bob Claes' };
const admin: Speaker = { id: '29:ada', aadObjectId: 'aad-admin', name: 'Ada Admin' };
const stranger: Speaker = { id: '29:eve', aadObjectId: 'aad-eve', name: 'Eve' };

const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' },
  { type: 'member', id: 'imported-bob', email: 'bob@example.com', name: 'Bob Claes', signedUpAt: '2025-01-10' },
  { type: 'member', id: 'aad-admin', email: 'ada@example.com', name: 'Ada Admin', signedUpAt: '2024-01-01' },
  { type: 'credit', id: 'c1', member: 'aad-ann', action: 'cert.configurator', at: '2026-06-12T08:00:00Z' },
  { type: 'credit', id: 'c2', member: 'aad-ann', action: 'docs.add-info', at: '2026-09-24T08:00:00Z', points: 4400 },
  { type: 'credit', id: 'c3', member: 'aad-ann', action: 'qa.answer', at: '2026-11-20T08:00:00Z' },
  { type: 'credit', id: 'c4', member: 'bob@example.com', action: 'qa.ask', at: '2026-11-02T08:00:00Z' },
];

let bot: BotHarness;
beforeEach(async () => {
  bot = await startBot({
    seed,
    admins: ['AAD-ADMIN'],
    users: [
      { id: bob.id, name: bob.name, aadObjectId: bob.aadObjectId, email: 'Bob@Example.com' },
      { id: stranger.id, name: stranger.name, aadObjectId: stranger.aadObjectId, email: 'eve@example.com' },
    ],
  });
});
afterEach(async () => bot.close());

async function say(from: Speaker, text: string): Promise<string> {
  bot.connector.clear();
  const response = await bot.post(message(bot, from, text));
  expect(response.status).toBe(200);
  return readable(bot.connector.sent());
}

describe('/points', () => {
  it('shows my status card with the numbers of my membership year', async () => {
    const reply = await say(ann, '/points');
    expect(reply).toContain('Ann Peeters');
    expect(reply).toContain('DevOps Enabler');
    expect(reply).toContain('5,175');
    expect(reply).toContain('9,825 more points this year to reach Catalyst (15,000)');
    expect(reply).toContain('To keep your level: Enabler is secured for your renewal on 2027-04-12');
    expect(reply).toContain('Renewal: 2027-04-12, in 140 days');
    expect(reply).toMatch(/2026-11-20[\s\S]*Answer a question[\s\S]*\+25/);
    const sent = bot.connector.sent();
    expect(sent).toHaveLength(1);
    expect((sent[0]!.attachments as { contentType: string }[])[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(bot.connector.requests[0]!.path).toMatch(/^\/v3\/conversations\/conv-29:ann\/activities\//);
  });

  it.each(['points', 'POINTS', '/Points', '  /points  '])('understands %j', async (text) => {
    expect(await say(ann, text)).toContain('DevOps Enabler');
  });

  it('finds a member imported under another id through the email Teams knows', async () => {
    const reply = await say(bob, 'points');
    expect(reply).toContain('Bob Claes');
    expect(reply).toContain('No DevOps level yet');
    expect(reply).toContain('10');
  });

  it('tells someone who is not enrolled how to join', async () => {
    expect(await say(stranger, 'points')).toContain('Type **join** to enrol');
  });

  it('removes the bot mention in a channel', async () => {
    bot.connector.clear();
    const response = await bot.post(
      activity(
        bot,
        ann,
        {
          text: '<at>DevOps Points</at> points',
          entities: [{ type: 'mention', text: '<at>DevOps Points</at>', mentioned: { id: '28:bot', name: 'DevOps Points' } }],
        },
        { id: '19:channel@thread.tacv2', conversationType: 'channel' },
      ),
    );
    expect(response.status).toBe(200);
    expect(readable(bot.connector.sent())).toContain('DevOps Enabler');
  });
});

describe('other member commands', () => {
  it('/history lists this membership year, newest first, paged', async () => {
    const reply = await say(ann, 'history');
    expect(reply).toContain('Your points since 2026-04-12 (page 1 of 1)');
    expect(reply.indexOf('2026-11-20')).toBeLessThan(reply.indexOf('2026-06-12'));
    expect(await say(ann, 'history 2')).toContain('There is only 1 page');
    expect(await say(ann, 'history two')).toContain('Give a page number');
  });

  it('/levels gives the thresholds and the benefits', async () => {
    const reply = await say(stranger, 'levels');
    expect(reply).toContain('Advocate: 750 points per year');
    expect(reply).toContain('Catalyst: 15,000 points per year');
    expect(reply).toContain('Free personal DataMiner licenses');
  });

  it('/earn lists topics, and the actions of one', async () => {
    expect(await say(ann, 'earn')).toContain('qa: Q&A on Dojo');
    const docs = await say(ann, 'earn docs');
    expect(docs).toContain('Add missing information to the documentation: 1 to 5,000 points');
    expect(await say(ann, 'earn feedback')).toContain('50 points, at most 100 a month');
    expect(await say(ann, 'earn juggling')).toContain('No topic or action matches "juggling"');
  });

  it('/join enrols me today with the email Teams knows, once', async () => {
    const reply = await say(stranger, 'join');
    expect(reply).toContain('Welcome to the DevOps Professional Program');
    expect(reply).toContain('2026-11-23');
    expect(bot.store.state.member('aad-eve')).toEqual({ id: 'aad-eve', email: 'eve@example.com', name: 'Eve', signedUpAt: '2026-11-23' });
    expect(await say(stranger, 'join')).toContain('you joined on 2026-11-23');
  });

  it('/leaderboard ranks the month and the year, and honours opting out', async () => {
    const month = await say(bob, 'leaderboard');
    expect(month).toContain('Leaderboard 2026-11');
    expect(month).toMatch(/1\. Ann Peeters: 25 points[\s\S]*2\. Bob Claes: 10 points/);
    expect(month).toContain('You are number 2 of 2 with 10 points.');
    expect(await say(ann, 'leaderboard year')).toContain('1. Ann Peeters: 5,175 points');
    expect(await say(ann, 'leaderboard optout')).toContain('no longer shown');
    const after = await say(bob, 'leaderboard');
    expect(after).not.toContain('Ann Peeters');
    expect(after).toContain('You are number 1 of 1');
    expect(await say(ann, 'leaderboard')).toContain('you opted out');
    await say(ann, 'leaderboard optin');
    expect(await say(bob, 'leaderboard')).toContain('Ann Peeters');
    expect(await say(ann, 'leaderboard week')).toContain('Use **leaderboard month**');
  });

  it('/claim and /attendance give empty forms with every catalog action to choose from', async () => {
    expect(await say(ann, 'attendance')).toContain('Training attendance');
    const claim = await say(ann, 'claim');
    expect(claim).toContain('Claim DevOps Points');
    const card = JSON.stringify(bot.connector.sent()[0]!.attachments);
    expect(card).toContain('"value":"docs.typo"');
    expect(card).not.toContain('"value":"kata.early"');
    expect(await say(stranger, 'claim')).toContain('Type **join** to enrol');
  });

  it('/help lists the commands; administrators see theirs too', async () => {
    const member = await say(ann, 'help');
    expect(member).toContain('**attendance**');
    expect(member).not.toContain('**award**');
    expect(await say(admin, '/help')).toContain('**award** <member email or id> <action> [points|days] [note]');
  });

  it('answers anything unknown with a short help, never silence', async () => {
    expect(await say(ann, 'hello there')).toContain(`I don't know "hello"`);
    expect(await say(ann, '   ')).toContain('an empty message');
  });
});

describe('administrator commands', () => {
  const snapshot = () => ({ members: [...bot.store.state.members.values()], ledger: [...bot.store.state.ledger.values()], claims: [...bot.store.state.claims.values()] });

  it.each(['review', 'award ann@example.com qa.ask', 'revoke c1 mistake', 'member ann@example.com'])('refuses %j to a non-administrator and changes nothing', async (command) => {
    const before = snapshot();
    expect(await say(ann, command)).toContain('is for administrators. Nothing was changed.');
    expect(snapshot()).toEqual(before);
  });

  it('/award credits a member, with points for a range rule and a note', async () => {
    const reply = await say(admin, 'award ann@example.com docs.typo 40 fixed the alarm page');
    expect(reply).toContain('Credited Ann Peeters');
    expect(reply).toContain('+40');
    const entry = [...bot.store.state.entriesOf('aad-ann')].at(-1)!;
    expect(entry).toMatchObject({ action: 'docs.typo', points: 40, source: 'admin', by: 'aad-admin', note: 'fixed the alarm page', at: new Date(NOW).toISOString() });
  });

  it('/award refuses what the rule refuses, and changes nothing', async () => {
    const before = snapshot();
    expect(await say(admin, 'award ann@example.com docs.typo 99')).toContain('Not credited: docs.typo needs "points", a whole number from 25 to 50 (got 99). Nothing was changed.');
    expect(await say(admin, 'award nobody@example.com qa.ask')).toContain('No member with id or email "nobody@example.com"');
    expect(await say(admin, 'award ann@example.com qa.nothing')).toContain('Unknown action "qa.nothing"');
    expect(await say(admin, 'award')).toContain('Usage: **award**');
    expect(snapshot()).toEqual(before);
  });

  it('/revoke reverses an entry once, with a reason', async () => {
    expect(await say(admin, 'revoke c3')).toContain('Usage: **revoke**');
    const reply = await say(admin, 'revoke c3 answer was removed');
    expect(reply).toContain('Reversed c3');
    expect(bot.store.state.reversalOf('c3')).toMatchObject({ points: -25, note: 'answer was removed', by: 'aad-admin' });
    expect(await say(admin, 'revoke c3 again')).toMatch(/Not reversed: entry c3 was already reversed by revoke-/);
    expect(await say(admin, 'revoke nope x')).toContain('Not reversed: no entry with id "nope"');
  });

  it('/member shows someone else’s status card', async () => {
    expect(await say(admin, 'member ann@example.com')).toContain('DevOps Enabler');
    expect(await say(admin, 'member nobody')).toContain('No member with id or email "nobody"');
  });
});
