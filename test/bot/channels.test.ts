// Identity comes from Teams only, and whatever shape a personal-chat activity has, what the bot keeps
// of it loads again at the next start.
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { activity, discard, invoke, message, readable, startBot, type BotHarness, type Speaker } from '../support/bot-server.js';

const admin: Speaker = { id: '29:ada', aadObjectId: 'aad-admin', name: 'Ada Admin' };
const ann: Speaker = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' },
  { type: 'member', id: 'aad-admin', email: 'ada@example.com', name: 'Ada Admin', signedUpAt: '2024-01-01' },
];

let bot: BotHarness | undefined;
afterEach(async () => {
  await discard(bot);
  bot = undefined;
});

const contents = (h: BotHarness) =>
  JSON.stringify([...h.store.state.members.values(), ...h.store.state.ledger.values(), ...h.store.state.claims.values(), ...h.store.state.conversations.values()]);

describe('channels other than Teams', () => {
  it.each(['webchat', 'directline', 'emulator', 'MSTEAMS', 'msteams '])('refuses a message from %j politely, even one naming an administrator, and changes nothing', async (channelId) => {
    bot = await startBot({ seed, admins: ['aad-admin'] });
    const before = contents(bot);
    // On Web Chat the client chooses from.id: here it names the administrator's Entra id.
    const forged = { id: 'aad-admin', aadObjectId: 'aad-admin', name: 'Ada Admin' };
    const response = await bot.post(activity(bot, forged, { channelId, text: 'award ann@example.com qa.answer' }));
    expect(response.status).toBe(200);
    expect(readable(bot.connector.sent())).toBe('DevOps Points works in Microsoft Teams only: open the app in Teams to see your points.');
    expect(contents(bot)).toBe(before);
  });

  it('answers a card action from another channel in place, without acting on it', async () => {
    bot = await startBot({ seed, admins: ['aad-admin'] });
    const before = contents(bot);
    const response = await bot.post({ ...invoke(bot, admin, 'claim.approve', { claim: 'any' }), channelId: 'directline' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'DevOps Points works in Microsoft Teams only: open the app in Teams to see your points.' });
    expect(bot.connector.sent()).toHaveLength(0);
    expect(contents(bot)).toBe(before);
  });

  it('still serves the same administrator from Teams', async () => {
    bot = await startBot({ seed, admins: ['aad-admin'] });
    await bot.post(message(bot, admin, 'award ann@example.com qa.answer'));
    expect(readable(bot.connector.sent())).toMatch(/Ann Peeters/);
    expect([...bot.store.state.ledger.values()].map((e) => [e.memberId, e.action])).toEqual([['aad-ann', 'qa.answer']]);
  });
});

describe('what the bot keeps of an activity', () => {
  const hostile: [string, (a: Record<string, unknown>) => Record<string, unknown>][] = [
    ['a number for locale', (a) => ({ ...a, locale: 5 })],
    ['an object for locale', (a) => ({ ...a, locale: { en: true } })],
    ['a number for from.name', (a) => ({ ...a, from: { ...ann, name: 5 } })],
    ['an array for recipient.name', (a) => ({ ...a, recipient: { id: '28:bot', name: ['x'] } })],
    ['a number for the tenant id', (a) => ({ ...a, channelData: { tenant: { id: 7 } } })],
    ['a number for conversation.tenantId', (a) => ({ ...a, conversation: { id: 'conv-x', conversationType: 'personal', tenantId: 7 } })],
    ['an empty aadObjectId', (a) => ({ ...a, from: { ...ann, aadObjectId: '' } })],
    ['a number for aadObjectId', (a) => ({ ...a, from: { ...ann, aadObjectId: 12 } })],
    ['a number for conversationType', (a) => ({ ...a, conversation: { id: 'conv-y', conversationType: 3 } })],
    ['an empty recipient id', (a) => ({ ...a, recipient: { id: '' } })],
  ];

  it.each(hostile)('answers a personal-chat message with %s, and the store loads again', async (_what, change) => {
    bot = await startBot({ seed });
    const response = await bot.post(change(message(bot, ann, 'points')));
    expect([200, 400]).toContain(response.status);
    const file = bot.store.file;
    await bot.close();
    const reopened = await Store.open(file, { command: 'test' });
    try {
      expect(reopened.state.members.size).toBe(2);
      for (const saved of reopened.state.conversations.values()) {
        expect(typeof saved.id).toBe('string');
        expect(saved.id.length).toBeGreaterThan(0);
        for (const value of [saved.reference.locale, saved.reference.user.name, saved.reference.bot.name, saved.reference.conversation.tenantId, saved.reference.user.aadObjectId]) {
          expect(value === undefined || (typeof value === 'string' && value.length > 0)).toBe(true);
        }
      }
    } finally {
      await reopened.close();
    }
    // close() again in afterEach is a no-op for a closed harness store.
  });

  it('keeps the well-typed fields of a reference and drops the rest', async () => {
    bot = await startBot({ seed });
    await bot.post({ ...message(bot, ann, 'points'), locale: 5, recipient: { id: '28:bot', name: 9 }, channelData: { tenant: { id: 'tenant-1' } } });
    expect(bot.store.state.conversations.get('aad-ann')?.reference).toEqual({
      channelId: 'msteams',
      serviceUrl: bot.connector.url,
      conversation: { id: 'conv-29:ann', conversationType: 'personal', tenantId: 'tenant-1' },
      user: { id: '29:ann', name: 'Ann Peeters', aadObjectId: 'aad-ann' },
      bot: { id: '28:bot' },
    });
  });
});
