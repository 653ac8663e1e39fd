// Conversation references (install, message, uninstall) and /notifications, through the real server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPass } from '../../src/notify/pass.js';
import { activity, cardText, message, readable, startBot, type BotHarness, type Speaker } from '../support/bot-server.js';
import { catalog, quiet, settings, virtualClock } from '../support/notify.js';

const ann: Speaker = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const bob: Speaker = { id: '29:bob', aadObjectId: 'aad-bob', name: 'Bob Claes' };
// The bot's clock is 2026-11-23T12:00Z; Ann's first renewal is 2026-12-23.
const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2025-12-23' },
  { type: 'member', id: 'imported-bob', email: 'bob@example.com', name: 'Bob Claes', signedUpAt: '2025-06-01' },
];

let bot: BotHarness;
beforeEach(async () => {
  bot = await startBot({ seed, users: [{ id: '29:bob', name: 'Bob Claes', aadObjectId: 'aad-bob', email: 'bob@example.com' }] });
});
afterEach(async () => bot.close());

const install = (from: Speaker, action: 'add' | 'remove') => activity(bot, from, { type: 'installationUpdate', action });
const sentText = () => readable(bot.connector.sent());

describe('conversation references', () => {
  it('are saved on install, with the member they belong to', async () => {
    expect((await bot.post(install(ann, 'add'))).status).toBe(200);
    expect(bot.store.state.conversationOf('aad-ann')).toMatchObject({
      id: 'aad-ann',
      memberId: 'aad-ann',
      reference: { serviceUrl: bot.connector.url, conversation: { id: 'conv-29:ann', conversationType: 'personal', tenantId: 'tenant-1' }, user: { id: '29:ann' }, bot: { id: '28:bot' } },
    });
  });

  it('find an imported member by the email Teams gives', async () => {
    await bot.post(message(bot, bob, 'help'));
    expect(bot.store.state.conversationOf('imported-bob')).toMatchObject({ id: 'aad-bob', memberId: 'imported-bob' });
    // A later lookup that fails (Teams throttles it) does not unlink the member.
    bot.connector.respond = (request) => (request.method === 'GET' ? { status: 429, headers: { 'retry-after': '1' } } : undefined);
    await bot.post({ ...message(bot, bob, 'help'), serviceUrl: `${bot.connector.url}emea/` });
    expect(bot.store.state.conversationOf('imported-bob')).toMatchObject({ memberId: 'imported-bob', reference: { serviceUrl: `${bot.connector.url}emea/` } });
  });

  it('are saved when the bot is added to a personal chat (membersAdded), not for group chats', async () => {
    await bot.post(activity(bot, ann, { type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }] }));
    expect(bot.store.state.conversationOf('aad-ann')).toBeDefined();
    await bot.post(message(bot, bob, 'help'));
    await bot.post(activity(bot, ann, { text: 'points' }, { id: 'group-1', conversationType: 'groupChat' }));
    expect(bot.store.state.conversationOf('aad-ann')?.reference.conversation.id).toBe('conv-29:ann');
  });

  it('follow a moved serviceUrl on the next message, and write nothing when nothing changed', async () => {
    await bot.post(message(bot, ann, 'points'));
    const saved = bot.store.state.conversationOf('aad-ann')!;
    await bot.post(message(bot, ann, 'help'));
    expect(bot.store.state.conversationOf('aad-ann')).toBe(saved);
    await bot.post({ ...message(bot, ann, 'help'), serviceUrl: `${bot.connector.url}emea/` });
    expect(bot.store.state.conversationOf('aad-ann')?.reference.serviceUrl).toBe(`${bot.connector.url}emea/`);
  });

  it('are set aside on uninstall, so nothing is sent, and come back on the next install', async () => {
    await bot.post(install(ann, 'add'));
    await bot.post(install(ann, 'remove'));
    expect(bot.store.state.conversationOf('aad-ann')?.removedAt).toBeDefined();
    bot.connector.clear();
    const report = await runPass({ store: bot.store, catalog, settings: settings(), transport: bot.server.transport, log: quiet, clock: virtualClock(0) }, Date.parse('2026-11-23T12:00:00Z'));
    expect(report).toMatchObject({ unreachable: 1, sent: 0 });
    expect(bot.connector.sent()).toEqual([]);
    await bot.post(install(ann, 'add'));
    expect(bot.store.state.conversationOf('aad-ann')?.removedAt).toBeUndefined();
  });

  it('carry the reminder through the bot\'s own adapter', async () => {
    await bot.post(install(ann, 'add'));
    bot.connector.clear();
    const report = await runPass({ store: bot.store, catalog, settings: settings(), transport: bot.server.transport, log: quiet, clock: virtualClock(0) }, Date.parse('2026-11-23T12:00:00Z'));
    expect(report).toMatchObject({ queued: 1, sent: 1, failed: 0 });
    expect(sentText()).toContain('30 days to your renewal');
  });
  it('bring a refusal from Teams back to the delivery rules through the bot\'s own adapter', async () => {
    await bot.post(install(ann, 'add'));
    bot.connector.clear();
    bot.connector.respond = (request) => (request.method === 'POST' ? { status: 403, body: { error: { code: 'BotNotInConversationRoster', message: 'not in the roster' } } } : undefined);
    const report = await runPass({ store: bot.store, catalog, settings: settings(), transport: bot.server.transport, log: quiet, clock: virtualClock(0) }, Date.parse('2026-11-23T12:00:00Z'));
    expect(report).toMatchObject({ queued: 1, sent: 0, markedUnreachable: 1 });
    expect(bot.store.state.conversationOf('aad-ann')?.unreachable).toMatchObject({ status: 403 });
    // One try, and no apology sent after it into the conversation.
    expect(bot.connector.sent()).toHaveLength(1);
  });
});

describe('/notifications', () => {
  it('shows the state, turns reminders off and on, and the status card follows', async () => {
    await bot.post(message(bot, ann, '/notifications'));
    expect(sentText()).toContain('Renewal reminders are **on**; the next one is on 2026-12-16');
    bot.connector.clear();
    await bot.post(message(bot, ann, 'points'));
    expect(cardText((bot.connector.sent()[0]!.attachments as { content: unknown }[])[0]!.content)).toContain('Next reminder: 2026-12-16');

    bot.connector.clear();
    await bot.post(message(bot, ann, 'notifications off'));
    expect(sentText()).toContain('Renewal reminders are off');
    expect(bot.store.state.preferences.get('aad-ann')).toMatchObject({ notificationsOff: true });
    bot.connector.clear();
    await bot.post(message(bot, ann, 'points'));
    expect(sentText()).toContain('Next reminder: off');

    bot.connector.clear();
    await bot.post(message(bot, ann, 'notifications ON'));
    expect(sentText()).toContain('Renewal reminders are on; the next one is on 2026-12-16.');
    expect(bot.store.state.preferences.get('aad-ann')).toMatchObject({ notificationsOff: false });
  });

  it('keeps other preferences, and asks a person who is not enrolled to join first', async () => {
    await bot.post(message(bot, ann, 'leaderboard optout'));
    await bot.post(message(bot, ann, 'notifications off'));
    expect(bot.store.state.preferences.get('aad-ann')).toEqual({ id: 'aad-ann', leaderboardOptOut: true, notificationsOff: true });
    bot.connector.clear();
    await bot.post(message(bot, { id: '29:zoe', aadObjectId: 'aad-zoe', name: 'Zoe' }, 'notifications off'));
    expect(sentText()).toContain('You are not enrolled');
  });
});
