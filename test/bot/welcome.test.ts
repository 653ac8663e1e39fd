// The welcome card: once per install in personal chat, through the real server and the stub connector.
import { describe, expect, it } from 'vitest';
import { runPass } from '../../src/notify/pass.js';
import { activity, botPerTest, cardText, message, NOW, type BotHarness, type Speaker } from '../support/bot-server.js';
import { catalog, quiet, settings, virtualClock } from '../support/notify.js';

const ann: Speaker = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const zoe: Speaker = { id: '29:zoe', aadObjectId: 'aad-zoe', name: 'Zoe Maes' };
const seed = [{ type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2025-12-23' }];
const group = { id: 'group-1', conversationType: 'groupChat' };

const bot = botPerTest({ seed });

const installed = (h: BotHarness, from: Speaker, action: 'add' | 'remove', conversation?: typeof group) =>
  activity(h, from, { type: 'installationUpdate', action }, conversation);
const botAdded = (h: BotHarness, from: Speaker, conversation?: typeof group) =>
  activity(h, from, { type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }, { id: from.id }] }, conversation);

/** The texts of the welcome cards the bot sent so far. */
function welcomes(h: BotHarness): string[] {
  return h.connector
    .sent()
    .flatMap((a) => (a.attachments as { content: unknown }[] | undefined) ?? [])
    .map((attachment) => cardText(attachment.content))
    .filter((text) => text.startsWith('Welcome to DevOps Points'));
}

async function post(h: BotHarness, a: unknown): Promise<void> {
  expect((await h.post(a)).status).toBe(200);
}

describe('the welcome card', () => {
  it('is sent once on a personal install: what the bot does, /points and /join', async () => {
    const h = bot();
    await post(h, installed(h, zoe, 'add'));
    expect(welcomes(h)).toHaveLength(1);
    const [text] = welcomes(h);
    expect(text).toContain('Advocate, Enabler, Catalyst');
    expect(text).toContain('You are not enrolled yet: type /join to enrol, starting today, then /points to see where you stand.');
    expect(text).toContain('/points: Your DevOps Points this membership year');
    expect(text).toContain('/join: Join the DevOps Professional Program, starting today');
    // Sent to the conversation of the install, and nothing else is sent.
    expect(h.connector.sent()).toHaveLength(1);
    expect(h.connector.sent()[0]).toMatchObject({ conversation: { id: 'conv-29:zoe' } });

    await post(h, message(h, zoe, 'help'));
    expect(welcomes(h)).toHaveLength(1);
  });

  it('tells an enrolled member where to look instead of asking to join', async () => {
    const h = bot();
    await post(h, installed(h, ann, 'add'));
    expect(welcomes(h)).toHaveLength(1);
    expect(welcomes(h)[0]).toContain('You are enrolled since 2025-12-23: type /points to see where you stand.');
    expect(welcomes(h)[0]).not.toContain('/join');
  });

  it('is sent once when Teams announces one install twice, one after the other or together', async () => {
    const h = bot();
    await post(h, installed(h, ann, 'add'));
    await post(h, botAdded(h, ann));
    expect(welcomes(h)).toHaveLength(1);

    await Promise.all([post(h, installed(h, zoe, 'add')), post(h, botAdded(h, zoe))]);
    expect(welcomes(h)).toHaveLength(2);
  });

  it('is sent once more after an uninstall and a new install', async () => {
    const h = bot();
    await post(h, installed(h, ann, 'add'));
    await post(h, installed(h, ann, 'remove'));
    await post(h, installed(h, ann, 'add'));
    await post(h, botAdded(h, ann));
    expect(welcomes(h)).toHaveLength(2);
  });

  it('is sent after an install for someone found unreachable (the uninstall was missed)', async () => {
    const h = bot();
    await post(h, installed(h, ann, 'add'));
    // Ann's renewal reminder is due; Teams refuses it with 403, as for a bot no longer installed.
    h.connector.respond = (request) => (request.method === 'POST' ? { status: 403, body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } } } : undefined);
    const report = await runPass({ store: h.store, catalog, settings: settings(), transport: h.server.transport, log: quiet, clock: virtualClock(0) }, NOW);
    expect(report).toMatchObject({ sent: 0, markedUnreachable: 1 });
    expect(h.store.state.conversationOf('aad-ann')?.unreachable).toMatchObject({ status: 403 });
    h.connector.respond = null;
    await post(h, installed(h, ann, 'add'));
    expect(welcomes(h)).toHaveLength(2);
  });

  it('is not sent for an install in a group chat', async () => {
    const h = bot();
    await post(h, installed(h, ann, 'add', group));
    await post(h, botAdded(h, ann, group));
    expect(h.connector.sent()).toEqual([]);
  });
});
