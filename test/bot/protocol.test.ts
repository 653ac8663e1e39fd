// What the HTTP endpoint does with requests that are not what it expects: a 4xx or a clear reply,
// never a crash, and the store unchanged.
import { afterEach, describe, expect, it } from 'vitest';
import { activity, discard, message, readable, startBot, type BotHarness, type Speaker } from '../support/bot-server.js';

const ann: Speaker = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const seed = [
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' },
  { type: 'credit', id: 'c1', member: 'aad-ann', action: 'cert.configurator', at: '2026-06-12T08:00:00Z' },
];

let bot: BotHarness;
// Each test starts its own bot; the folder of its store goes with it.
afterEach(async () => discard(bot));

const contents = () => JSON.stringify([...bot.store.state.members.values(), ...bot.store.state.ledger.values(), ...bot.store.state.claims.values()]);

describe('malformed requests', () => {
  it.each([
    ['no from', (a: Record<string, unknown>) => ({ ...a, from: undefined }), /from/],
    ['no conversation', (a: Record<string, unknown>) => ({ ...a, conversation: undefined }), /conversation/],
    ['no serviceUrl', (a: Record<string, unknown>) => ({ ...a, serviceUrl: undefined }), /serviceUrl/],
    ['a serviceUrl that is not http', (a: Record<string, unknown>) => ({ ...a, serviceUrl: 'file:///etc/passwd' }), /serviceUrl/],
    ['an unknown type', (a: Record<string, unknown>) => ({ ...a, type: 'explode' }), /type is not a Bot Framework activity type/],
    ['a number for from', (a: Record<string, unknown>) => ({ ...a, from: 42 }), /from/],
  ])('answers 400 to an activity with %s', async (_what, change, error) => {
    bot = await startBot({ seed });
    const before = contents();
    const response = await bot.post(change(message(bot, ann, 'points')));
    expect(response.status).toBe(400);
    expect((response.body as { error: string }).error).toMatch(error);
    expect(bot.connector.requests).toHaveLength(0);
    expect(contents()).toBe(before);
  });

  it('answers 400 to a body that is not JSON, and 415 to another content type', async () => {
    bot = await startBot({ seed });
    expect((await bot.post('{"type":"message",')).status).toBe(400);
    const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'points' });
    expect(response.status).toBe(415);
    expect(bot.connector.requests).toHaveLength(0);
  });

  it('answers 413 to a body over 256 kB', async () => {
    bot = await startBot({ seed });
    const response = await bot.post(message(bot, ann, 'x'.repeat(300 * 1024)));
    expect(response.status).toBe(413);
    expect(bot.connector.requests).toHaveLength(0);
  });

  it('replies plainly to 100 kB of text and changes nothing', async () => {
    bot = await startBot({ seed });
    const before = contents();
    const response = await bot.post(message(bot, ann, `points ${'x'.repeat(99_000)}`));
    expect(response.status).toBe(200);
    expect(readable(bot.connector.sent())).toContain('That message is too long for a command');
    expect(contents()).toBe(before);
  });

  it('replies plainly to a message whose value is not an object', async () => {
    bot = await startBot({ seed });
    await bot.post(activity(bot, ann, { value: 'claim.submit' }));
    await bot.post(activity(bot, ann, { value: ['claim.submit'] }));
    const replies = readable(bot.connector.sent());
    expect(replies.match(/That card submission could not be read/g)).toHaveLength(2);
  });

  it('replies plainly to a card action with an unknown verb or no data', async () => {
    bot = await startBot({ seed });
    const before = contents();
    const unknown = await bot.post(activity(bot, ann, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'drop.tables', data: {} } } }));
    expect(unknown.status).toBe(200);
    expect(JSON.stringify(unknown.body)).toContain('This card action is not known');
    const noData = await bot.post(activity(bot, ann, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'claim.submit', data: 'x' } } }));
    expect(JSON.stringify(noData.body)).toContain('This card is not valid any more');
    const noValue = await bot.post(activity(bot, ann, { type: 'invoke', name: 'adaptiveCard/action', value: 'nothing' }));
    expect(noValue.status).toBe(400);
    expect((noValue.body as { error: string }).error).toContain('value an adaptiveCard/action invoke needs value.action');
    expect(contents()).toBe(before);
  });

  it('ignores activity types it has nothing to do with, with 200 and no reply', async () => {
    bot = await startBot({ seed });
    const response = await bot.post(activity(bot, ann, { type: 'typing' }));
    expect(response.status).toBe(200);
    expect(bot.connector.sent()).toHaveLength(0);
  });

  it('keeps serving after all of that', async () => {
    bot = await startBot({ seed });
    await bot.post('{"broken"');
    await bot.post(message(bot, ann, 'x'.repeat(300 * 1024)));
    await bot.post(message(bot, ann, 'points'));
    expect(readable(bot.connector.sent())).toContain('Ann Peeters');
    const health = await fetch(`${bot.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', members: 1, entries: 1 });
  });
});

describe('Bot Framework authentication', () => {
  it('with MicrosoftAppId set, refuses a request without a valid token with 401 and processes nothing', async () => {
    bot = await startBot({ seed, credentials: { MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-secret' } });
    const before = contents();
    const none = await bot.post(message(bot, ann, 'join'));
    expect(none.status).toBe(401);
    const garbage = await bot.post(message(bot, ann, 'join'), { authorization: 'Bearer not.a.token' });
    expect(garbage.status).toBe(401);
    const wrongScheme = await bot.post(message(bot, ann, 'join'), { authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' });
    expect(wrongScheme.status).toBe(401);
    expect(bot.connector.requests).toHaveLength(0);
    expect(contents()).toBe(before);
  });
});
