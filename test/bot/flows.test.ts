// End to end through the real server, botbuilder's adapter and the stub connector: a command, a claim
// from card to approval, and what the proactive loop needs (conversation references kept, set aside
// and used). The commands' words and rules are tested without HTTP in commands.test.ts and claims.test.ts.
import { describe, expect, it } from 'vitest';
import { runPass } from '../../src/notify/pass.js';
import { activity, botPerTest, cardText, discard, invoke, message, readable, startBot, type BotHarness, type Speaker } from '../support/bot-server.js';
import { catalog, quiet, settings, virtualClock } from '../support/notify.js';

const ann: Speaker = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const bob: Speaker = { id: '29:bob', aadObjectId: 'aad-bob', name: 'Bob Claes' };
const admin: Speaker = { id: '29:ada', aadObjectId: 'aad-admin', name: 'Ada Admin' };
const NOW = Date.parse('2026-11-23T12:00:00Z');

// Ann's first renewal is 2026-12-23; Bob was imported under another id than his Teams one.
const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2025-12-23' },
  { type: 'member', id: 'imported-bob', email: 'bob@example.com', name: 'Bob Claes', signedUpAt: '2025-06-01' },
  { type: 'member', id: 'aad-admin', email: 'ada@example.com', name: 'Ada Admin', signedUpAt: '2024-01-01' },
  { type: 'credit', id: 'c1', member: 'aad-ann', action: 'qa.answer', at: '2026-11-20T08:00:00Z' },
];
const users = [{ id: bob.id, name: bob.name, aadObjectId: bob.aadObjectId, email: 'Bob@Example.com' }];

const options = { seed, admins: ['AAD-ADMIN'], users };

async function say(h: BotHarness, from: Speaker, text: string): Promise<string> {
  h.connector.clear();
  expect((await h.post(message(h, from, text))).status).toBe(200);
  return readable(h.connector.sent());
}

/** Sends a card action as Universal Actions do; returns the text of the card that replaces it. */
async function execute(h: BotHarness, from: Speaker, verb: string, data: Record<string, unknown>): Promise<string> {
  const response = await h.post(invoke(h, from, verb, data));
  expect(response.status).toBe(200);
  const body = response.body as { statusCode: number; type: string; value: unknown };
  expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
  return cardText(body.value);
}

const pass = (h: BotHarness, at = NOW) => runPass({ store: h.store, catalog, settings: settings(), transport: h.server.transport, log: quiet, clock: virtualClock(at) }, at);

describe('a command', () => {
  const bot = botPerTest(options);

  it('is answered in the conversation it came from, with one adaptive card', async () => {
    const h = bot();
    expect(await say(h, ann, '/points')).toContain('Ann Peeters');
    const sent = h.connector.sent();
    expect(sent).toHaveLength(1);
    expect((sent[0]!.attachments as { contentType: string }[])[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(h.connector.requests[0]!.path).toMatch(/^\/v3\/conversations\/conv-29:ann\/activities\//);
  });

  it('comes from a member found through the email Teams gives for the user', async () => {
    const h = bot();
    expect(await say(h, bob, 'points')).toContain('Bob Claes');
    expect(h.connector.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/members/${bob.id}`))).toBe(true);
  });

  it('is read without the bot mention in a channel', async () => {
    const h = bot();
    h.connector.clear();
    const mention = { type: 'mention', text: '<at>DevOps Points</at>', mentioned: { id: '28:bot', name: 'DevOps Points' } };
    const response = await h.post(activity(h, ann, { text: '<at>DevOps Points</at> points', entities: [mention] }, { id: '19:channel@thread.tacv2', conversationType: 'channel' }));
    expect(response.status).toBe(200);
    expect(readable(h.connector.sent())).toContain('No DevOps level yet');
  });
});

describe('a claim', () => {
  const bot = botPerTest(options);

  it('goes from the card to approval, the card replaced in place, and the Action.Submit fallback sees the decision', async () => {
    const h = bot();
    h.connector.clear();
    await h.post(message(h, ann, 'claim'));
    const card = (h.connector.sent()[0]!.attachments as { content: { actions: { data: { cardId: string } }[] } }[])[0]!.content;
    const cardId = card.actions[0]!.data.cardId;
    expect(await execute(h, ann, 'claim.submit', { verb: 'claim.submit', cardId, action: 'qa.ask', date: '2026-11-20' })).toContain('Claim submitted');
    const claimId = `claim-${cardId}`;
    // Card data naming an administrator does not make one: identity comes from the activity.
    expect(await execute(h, ann, 'claim.approve', { verb: 'claim.approve', claimId, isAdmin: true, userId: 'aad-admin' })).toContain('is for administrators. Nothing was changed.');
    expect(h.store.state.claims.get(claimId)?.status).toBe('pending');
    expect(await execute(h, admin, 'claim.approve', { verb: 'claim.approve', claimId })).toContain(`Claim ${claimId} approved`);
    h.connector.clear();
    await h.post(activity(h, admin, { value: { verb: 'claim.approve', claimId } }));
    expect(readable(h.connector.sent())).toContain('Claim already approved');
    expect(h.store.state.entriesOf('aad-ann').map((e) => [e.id, e.points])).toEqual([
      ['c1', 25],
      [`${claimId}.1`, 10],
    ]);
  });
});

const install = (h: BotHarness, from: Speaker, action: 'add' | 'remove') => activity(h, from, { type: 'installationUpdate', action });

describe('conversation references', () => {
  const bot = botPerTest(options);

  it('are saved on install, with the member they belong to', async () => {
    const h = bot();
    expect((await h.post(install(h, ann, 'add'))).status).toBe(200);
    expect(h.store.state.conversationOf('aad-ann')).toEqual({
      id: 'aad-ann',
      memberId: 'aad-ann',
      savedAt: '2026-11-23T12:00:00.000Z',
      reference: {
        channelId: 'msteams',
        serviceUrl: h.connector.url,
        conversation: { id: 'conv-29:ann', conversationType: 'personal', tenantId: 'tenant-1' },
        user: { id: '29:ann', name: 'Ann Peeters', aadObjectId: 'aad-ann' },
        bot: { id: '28:bot', name: 'DevOps Points' },
      },
    });
  });

  it('find an imported member by the email Teams gives, and keep the link when a later lookup fails', async () => {
    const h = bot();
    await h.post(message(h, bob, 'help'));
    expect(h.store.state.conversationOf('imported-bob')).toMatchObject({ id: 'aad-bob', memberId: 'imported-bob' });
    h.connector.clear();
    h.connector.respond = (request) => (request.method === 'GET' ? { status: 429, headers: { 'retry-after': '0' } } : undefined);
    await h.post({ ...message(h, bob, 'help'), serviceUrl: `${h.connector.url}emea/` });
    expect(h.connector.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/members/${bob.id}`))).toBe(true);
    expect(h.store.state.conversationOf('imported-bob')).toMatchObject({ memberId: 'imported-bob', reference: { serviceUrl: `${h.connector.url}emea/` } });
  });

  it('are saved when the bot is added to a personal chat (membersAdded), not for group chats', async () => {
    const h = bot();
    await h.post(activity(h, ann, { type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }] }));
    expect(h.store.state.conversationOf('aad-ann')).toMatchObject({ id: 'aad-ann', memberId: 'aad-ann', reference: { conversation: { id: 'conv-29:ann' } } });
    await h.post(activity(h, ann, { text: 'points' }, { id: 'group-1', conversationType: 'groupChat' }));
    expect(h.store.state.conversationOf('aad-ann')?.reference.conversation.id).toBe('conv-29:ann');
  });

  it('follow a moved serviceUrl on the next message, and write nothing when nothing changed', async () => {
    const h = bot();
    await h.post(message(h, ann, 'points'));
    const saved = h.store.state.conversationOf('aad-ann')!;
    await h.post(message(h, ann, 'help'));
    expect(h.store.state.conversationOf('aad-ann')).toBe(saved);
    await h.post({ ...message(h, ann, 'help'), serviceUrl: `${h.connector.url}emea/` });
    expect(h.store.state.conversationOf('aad-ann')?.reference.serviceUrl).toBe(`${h.connector.url}emea/`);
  });

  it('are set aside on uninstall, so nothing is sent, and come back on the next install', async () => {
    const h = bot();
    await h.post(install(h, ann, 'add'));
    await h.post(install(h, ann, 'remove'));
    expect(h.store.state.conversationOf('aad-ann')?.removedAt).toBe('2026-11-23T12:00:00.000Z');
    h.connector.clear();
    expect(await pass(h)).toMatchObject({ unreachable: 1, sent: 0 });
    expect(h.connector.sent()).toEqual([]);
    await h.post(install(h, ann, 'add'));
    expect(h.store.state.conversationOf('aad-ann')?.removedAt).toBeUndefined();
  });

  it("carry the reminder through the bot's own adapter", async () => {
    const h = bot();
    await h.post(install(h, ann, 'add'));
    h.connector.clear();
    expect(await pass(h)).toMatchObject({ queued: 1, sent: 1, failed: 0 });
    expect(readable(h.connector.sent())).toContain('30 days to your renewal');
  });

  it("bring a refusal from Teams back to the delivery rules through the bot's own adapter", async () => {
    const h = bot();
    await h.post(install(h, ann, 'add'));
    h.connector.clear();
    h.connector.respond = (request) => (request.method === 'POST' ? { status: 403, body: { error: { code: 'BotNotInConversationRoster', message: 'not in the roster' } } } : undefined);
    expect(await pass(h)).toMatchObject({ queued: 1, sent: 0, markedUnreachable: 1 });
    expect(h.store.state.conversationOf('aad-ann')?.unreachable).toMatchObject({ status: 403 });
    // One try, and no apology sent after it into the conversation.
    expect(h.connector.sent()).toHaveLength(1);
  });
});

describe('a partner level', () => {
  // Ann and Cas work for Acme (Cas never installed the app), Bob does not; 10 credits a certification:
  // the third makes Collaborator (25) on 2026-11-20. Nobody's renewal is near.
  const partnerSeed = [
    { type: 'partner', id: 'acme', name: 'Acme Broadcast' },
    { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2025-06-01', partnerId: 'acme' },
    { type: 'member', id: 'aad-cas', email: 'cas@example.com', name: 'Cas Janssens', signedUpAt: '2025-06-01', partnerId: 'acme' },
    { type: 'member', id: 'aad-bob', email: 'bob@example.com', name: 'Bob Claes', signedUpAt: '2025-06-01' },
    ...['2026-02-01', '2026-06-01', '2026-11-20'].map((day, i) => ({ type: 'partner-activity', id: `a${i + 1}`, partner: 'acme', metric: 'technical.certification', at: `${day}T10:00:00Z`, count: 1 })),
  ];

  it("is announced to the partner's people who can be reached, once", async () => {
    const h = await startBot({ seed: partnerSeed });
    try {
      await h.post(install(h, ann, 'add'));
      await h.post(install(h, bob, 'add'));
      h.connector.clear();
      expect(await pass(h)).toMatchObject({ queued: 1, noConversation: 1, sent: 1 });
      const sent = h.connector.sent();
      expect(sent).toHaveLength(1);
      expect((sent[0]!.conversation as { id: string }).id).toBe('conv-29:ann');
      expect(readable(sent)).toContain('Acme Broadcast is now a Collaborator partner');
      expect(readable(sent)).toContain('reached Collaborator on the technical track with 30 credits in 2026. The level holds until 2027-12-31.');
      expect(h.store.state.notifications.get('partner-level:acme:technical:2026:collaborator:aad-ann')).toMatchObject({ delivery: 'sent' });
      h.connector.clear();
      expect(await pass(h, NOW + 3_600_000)).toMatchObject({ queued: 0, sent: 0 });
      expect(h.connector.sent()).toEqual([]);
    } finally {
      await discard(h);
    }
  });
});
