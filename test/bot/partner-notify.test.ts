// A partner level reached is announced to the partner's people through the proactive loop, over the
// real server's adapter to the stub connector.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runPass } from '../../src/notify/pass.js';
import { activity, readable, startBot, type BotHarness, type Speaker } from '../support/bot-server.js';
import { catalog, quiet, settings, virtualClock } from '../support/notify.js';

const ann: Speaker = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const NOW = Date.parse('2026-11-23T12:00:00Z');
const cert = (id: string, at: string) => ({ type: 'partner-activity', id, partner: 'acme', metric: 'technical.certification', at, count: 1 });
const seed = [
  { type: 'partner', id: 'acme', name: 'Acme Broadcast' },
  { type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2025-06-01', partnerId: 'acme' },
  { type: 'member', id: 'aad-cas', email: 'cas@example.com', name: 'Cas Janssens', signedUpAt: '2025-06-01', partnerId: 'acme' },
  { type: 'member', id: 'aad-dirk', email: 'dirk@example.com', name: 'Dirk Outsider', signedUpAt: '2025-06-01' },
  // 10 credits each: the third makes Collaborator (25) on 2026-11-20.
  cert('a1', '2026-02-01T10:00:00Z'),
  cert('a2', '2026-06-01T10:00:00Z'),
  cert('a3', '2026-11-20T10:00:00Z'),
];

let bot: BotHarness;
beforeEach(async () => {
  bot = await startBot({ seed });
});
afterEach(async () => bot.close());

const pass = (at: number) => runPass({ store: bot.store, catalog, settings: settings(), transport: bot.server.transport, log: quiet, clock: virtualClock(at) }, at);

it("announces a partner level to the partner's people who can be reached, once", async () => {
  await bot.post(activity(bot, ann, { type: 'installationUpdate', action: 'add' }));
  await bot.post(activity(bot, { id: '29:dirk', aadObjectId: 'aad-dirk', name: 'Dirk Outsider' }, { type: 'installationUpdate', action: 'add' }));
  bot.connector.clear();
  const report = await pass(NOW);
  expect(report).toMatchObject({ queued: 1, noConversation: 1, sent: 1 });
  const sent = bot.connector.sent();
  expect(sent).toHaveLength(1);
  expect((sent[0]!.conversation as { id: string }).id).toBe('conv-29:ann');
  const text = readable(sent);
  expect(text).toContain('Acme Broadcast is now a Collaborator partner');
  expect(text).toContain('reached Collaborator on the technical track with 30 credits in 2026. The level holds until 2027-12-31.');
  expect(bot.store.state.notifications.get('partner-level:acme:technical:2026:collaborator:aad-ann')).toMatchObject({ delivery: 'sent' });

  bot.connector.clear();
  expect(await pass(NOW + 3_600_000)).toMatchObject({ queued: 0, sent: 0 });
  expect(bot.connector.sent()).toEqual([]);
});
