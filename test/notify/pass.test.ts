// Notification passes against the stub connector on loopback, through botbuilder's real transport:
// who gets what, exactly once; retries by status; unreachable members; muted members; one pass at a time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { referenceOf } from '../../src/bot/conversations.js';
import type { ClaimDecisionNotice } from '../../src/core/notices.js';
import { realClock } from '../../src/notify/deliver.js';
import { Notifier } from '../../src/notify/notifier.js';
import { runPass, type PassDeps } from '../../src/notify/pass.js';
import { rememberConversation } from '../../src/services/members.js';
import type { Store } from '../../src/store/store.js';
import { readable } from '../support/bot-server.js';
import { StubConnector, type Recorded } from '../support/connector.js';
import { botTransport, catalog, conversation, quiet, seededStore, settings, virtualClock } from '../support/notify.js';

const AT = Date.parse('2026-11-23T12:00:00Z');
const HOUR = 3_600_000;
// Signed up 2025-12-23: the 30-day reminder of the first renewal falls on 2026-11-23.
const member = (id: string, signedUpAt = '2025-12-23') => ({ type: 'member', id, email: `${id}@example.com`, name: `Member ${id}`, signedUpAt });

const seed = [
  ...['ok', 'slow', 'err', 'busy', 'blocked', 'gone', 'muted', 'silent'].map((id) => member(id)),
  member('promo', '2026-01-10'),
  { type: 'credit', id: 'c-promo', member: 'promo', action: 'docs.add-info', at: '2026-11-22T10:00:00Z', points: 800 },
];

const convOf = (request: Recorded) => /\/v3\/conversations\/([^/]+)\/activities/.exec(request.path)?.[1];

let connector: StubConnector;
let store: Store;
let answered: Map<string, number>;

beforeEach(async () => {
  connector = await new StubConnector().start();
  answered = new Map();
  // Each conversation answers by its name; conv-slow is throttled once, then accepted.
  connector.respond = (request) => {
    const conv = convOf(request);
    if (!conv) return undefined;
    const n = (answered.get(conv) ?? 0) + 1;
    answered.set(conv, n);
    if (conv === 'conv-slow' && n === 1) return { status: 429, headers: { 'retry-after': '2' } };
    if (conv === 'conv-err') return { status: 500 };
    if (conv === 'conv-busy') return { status: 503 };
    if (conv === 'conv-blocked') return { status: 403, body: { error: { code: 'BotDisabledByAdmin', message: 'blocked' } } };
    if (conv === 'conv-gone') return { status: 404 };
    return undefined;
  };
  store = await seededStore(seed);
  await store.transact((tx) => {
    for (const id of ['ok', 'slow', 'err', 'busy', 'blocked', 'gone', 'muted', 'promo']) tx.put(['conversations', conversation(id, connector.url)]);
    tx.put(['preferences', { id: 'muted', notificationsOff: true }]);
    const decision: ClaimDecisionNotice = {
      id: 'claim-decision:claim-1:ok', memberId: 'ok', kind: 'claim-decision', createdAt: '2026-11-23T09:00:00.000Z',
      delivery: 'pending', attempts: 0, claimId: 'claim-1', status: 'approved', points: 250,
    };
    tx.put(['notifications', decision]);
  });
});

afterEach(async () => {
  await store.close();
  await connector.stop();
});

function deps(clock = virtualClock(AT)): PassDeps & { clock: ReturnType<typeof virtualClock> } {
  return { store, catalog, settings: settings(), transport: botTransport(), log: quiet, clock, timing: { backoffMs: 100, maxBackoffMs: 1000, maxWaitMs: 60_000 } };
}

const requestsTo = (conv: string) => connector.requests.filter((r) => convOf(r) === conv).length;
const delivery = (id: string) => store.state.notifications.get(id);

describe('a notification pass', () => {
  it('sends each member what is due, retrying only what the rules allow', async () => {
    const d = deps();
    const report = await runPass(d, AT);

    expect(report).toMatchObject({ firstPass: true, queued: 7, noConversation: 1, unreachable: 0, sent: 4, failed: 2, markedUnreachable: 2, deferred: 0 });
    // 200: once. 429: once more after the Retry-After. 500: no retry. 503: up to the attempts. 403/404: once.
    expect(Object.fromEntries(['ok', 'slow', 'err', 'busy', 'blocked', 'gone', 'promo', 'muted', 'silent'].map((id) => [id, requestsTo(`conv-${id}`)]))).toEqual({
      ok: 2, slow: 2, err: 1, busy: 3, blocked: 1, gone: 1, promo: 1, muted: 0, silent: 0,
    });
    expect(d.clock.waits).toContain(2000);
    // Backoff with jitter: 100 ms then 200 ms, half fixed and half random (random() = 0.5 here).
    expect(d.clock.waits).toEqual(expect.arrayContaining([75, 150]));

    expect(delivery('renewal-reminder:ok:0:30')).toMatchObject({ delivery: 'sent', attempts: 1 });
    expect(delivery('claim-decision:claim-1:ok')).toMatchObject({ delivery: 'sent', attempts: 1 });
    expect(delivery('renewal-reminder:slow:0:30')).toMatchObject({ delivery: 'sent', attempts: 2 });
    expect(delivery('renewal-reminder:err:0:30')).toMatchObject({ delivery: 'failed', attempts: 1 });
    expect(delivery('renewal-reminder:busy:0:30')).toMatchObject({ delivery: 'failed', attempts: 3 });
    expect(delivery('renewal-reminder:blocked:0:30')).toMatchObject({ delivery: 'unreachable', attempts: 1 });
    expect(delivery('promotion:promo:0:advocate')).toMatchObject({ delivery: 'sent', level: 'advocate', points: 800 });
    expect(delivery('renewal-reminder:muted:0:30')).toBeUndefined();
    expect(store.state.conversations.get('aad-blocked')?.unreachable).toMatchObject({ status: 403 });
    expect(store.state.conversations.get('aad-gone')?.unreachable).toMatchObject({ status: 404 });
    expect(store.state.conversations.get('aad-ok')?.unreachable).toBeUndefined();

    const ok = connector.requests.filter((r) => convOf(r) === 'conv-ok' && r.method === 'POST').map((r) => r.body!);
    const text = readable(ok);
    expect(text).toContain('30 days to your renewal');
    expect(text).toContain('Your membership year renews on 2026-12-23, in 30 days. You have 0 points this year.');
    expect(text).toContain('Claim claim-1 was approved: 250 points were credited to you.');
    expect(readable(connector.requests.filter((r) => convOf(r) === 'conv-promo').map((r) => r.body!))).toContain('You are now a DevOps Advocate');
  });

  it('tells its progress: the outbox first, then each notice as it settles', async () => {
    const calls: [number, number][] = [];
    const report = await runPass({ ...deps(), onProgress: (settled, total) => void calls.push([settled, total]) }, AT);
    expect(report.sent + report.failed + report.markedUnreachable + report.deferred).toBe(8);
    expect(calls).toEqual(Array.from({ length: 9 }, (_, i) => [i, 8]));
  });

  it('sends nothing twice: a second pass finds nothing new, and skips the unreachable', async () => {
    await runPass(deps(), AT);
    const before = connector.requests.length;
    const again = await runPass(deps(virtualClock(AT + HOUR)), AT + HOUR);
    expect(again).toMatchObject({ firstPass: false, queued: 0, sent: 0, failed: 0, markedUnreachable: 0 });
    expect(connector.requests.length).toBe(before);
  });

  it('reaches a member found unreachable again once they write to the bot', async () => {
    await runPass(deps(), AT);
    const at7 = Date.parse('2026-12-16T08:00:00Z'); // the 7-day reminder
    const skipped = await runPass(deps(virtualClock(at7)), at7);
    expect(skipped).toMatchObject({ unreachable: 2 });
    expect(delivery('renewal-reminder:blocked:0:7')).toBeUndefined();

    connector.respond = null;
    const activity = {
      type: 'message', channelId: 'msteams', serviceUrl: connector.url, text: 'points',
      from: { id: '29:blocked', aadObjectId: 'aad-blocked', name: 'Blocked' }, recipient: { id: '28:bot', name: 'DevOps Points' },
      conversation: { id: 'conv-blocked', conversationType: 'personal', isGroup: false, name: '' },
    };
    await rememberConversation({ store, now: () => at7 }, { userId: 'aad-blocked', member: store.state.member('blocked') }, referenceOf(activity)!);
    expect(store.state.conversations.get('aad-blocked')?.unreachable).toBeUndefined();
    const at1 = Date.parse('2026-12-22T08:00:00Z'); // the 1-day reminder
    const report = await runPass(deps(virtualClock(at1)), at1);
    expect(delivery('renewal-reminder:blocked:0:1')).toMatchObject({ delivery: 'sent' });
    expect(report.unreachable).toBe(1); // only the 404 member is still unreachable
  });

  it('gives a muted member no reminder, but still their claim decision', async () => {
    await store.transact((tx) =>
      tx.put(['notifications', { id: 'claim-decision:claim-2:muted', memberId: 'muted', kind: 'claim-decision', createdAt: '2026-11-23T09:00:00.000Z', delivery: 'pending', attempts: 0, claimId: 'claim-2', status: 'rejected', points: 0, reason: 'no proof' }]),
    );
    await runPass(deps(), AT);
    const sent = connector.requests.filter((r) => convOf(r) === 'conv-muted').map((r) => r.body!);
    expect(sent).toHaveLength(1);
    expect(readable(sent)).toContain('Reason: no proof');
  });

  it('never runs two passes at once', async () => {
    const d = deps();
    const notifier = new Notifier(d, quiet);
    const [first, second] = await Promise.all([notifier.pass(), notifier.pass()]);
    expect(second).toBe(first);
    expect(requestsTo('conv-ok')).toBe(2);
    await notifier.stop();
    expect(await notifier.pass()).toBeNull();
  });

  it('lets many sends wait for the pace at once on the real clock without a listener-leak warning', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `paced${i}`);
    const paced = await seededStore(ids.map((id) => member(id)));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      await paced.transact((tx) => ids.forEach((id) => tx.put(['conversations', conversation(id, connector.url)])));
      // Every send of the window waits for its slot of the pace on the stop signal at the same time.
      const start = Date.now();
      const clock = { ...realClock, now: () => AT + (Date.now() - start) };
      const notifier = new Notifier({ ...deps(), store: paced, clock, settings: settings({ rate: 200 }) }, quiet);
      const report = await notifier.pass();
      await notifier.stop();
      expect(ids.filter((id) => requestsTo(`conv-${id}`) !== 1)).toEqual([]);
      expect(report).not.toBeNull();
      // A warning is emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await paced.close();
    }
  });

  it('runs no pass, and sends nothing, while another instance leads the notifications', async () => {
    const d = deps();
    const asked: string[] = [];
    // The store of an instance that does not hold the notification lock (PostgreSQL, several instances).
    const follower = new Proxy(d.store, {
      get: (target, name, receiver) => (name === 'leads' ? async (task: string) => (asked.push(task), false) : Reflect.get(target, name, receiver)),
    });
    const notifier = new Notifier({ ...d, store: follower }, quiet);
    expect(await notifier.pass()).toBeNull();
    expect(asked).toEqual(['notify']);
    expect(connector.requests).toEqual([]);
    expect(store.state.markers.get('notify-pass')).toBeUndefined();
    await notifier.stop();
  });
});

describe('catching up after downtime', () => {
  it('after 40 days down across an anniversary, one pass sends the outcome and no stale reminder', async () => {
    const db = await seededStore([
      member('back', '2025-11-01'),
      { type: 'credit', id: 'c-back', member: 'back', action: 'docs.add-info', at: '2026-03-01T10:00:00Z', points: 900 },
    ]);
    try {
      await db.transact((tx) => {
        tx.put(['conversations', conversation('back', connector.url)]);
        // The last pass ran on 2026-10-10; the 7-day and 1-day reminders and the anniversary fell in the gap.
        tx.put(['markers', { id: 'notify-pass', at: '2026-10-10T12:00:00.000Z' }]);
        tx.put(['notifications', { id: 'promotion:back:0:advocate', memberId: 'back', kind: 'promotion', createdAt: '2026-03-01T12:00:00.000Z', delivery: 'sent', attempts: 1, year: 0, level: 'advocate', reachedAt: '2026-03-01T10:00:00.000Z', points: 900, nextLevel: 'enabler', pointsToNextLevel: 4100, renewalDate: '2026-11-01' }]);
      });
      connector.clear();
      const at = Date.parse('2026-11-19T12:00:00Z');
      const report = await runPass({ ...deps(virtualClock(at)), store: db }, at);
      expect(report).toMatchObject({ firstPass: false, queued: 1, sent: 1 });
      const sent = connector.requests.filter((r) => convOf(r) === 'conv-back').map((r) => r.body!);
      expect(sent).toHaveLength(1);
      expect(readable(sent)).toContain('You keep Advocate');
      expect([...db.state.notifications.keys()].filter((k) => k.includes(':back:'))).toEqual(['promotion:back:0:advocate', 'anniversary:back:1']);
    } finally {
      await db.close();
    }
  });
});

describe('notices that cannot go out now', () => {
  const decision = (member: string): ClaimDecisionNotice => ({
    id: `claim-decision:claim-9:${member}`, memberId: member, kind: 'claim-decision', createdAt: '2026-11-23T09:00:00.000Z',
    delivery: 'pending', attempts: 0, claimId: 'claim-9', status: 'approved', points: 1000,
  });

  it('keep a decision for a member without a conversation until they install the app', async () => {
    await store.transact((tx) => tx.put(['notifications', decision('silent')]));
    const first = await runPass(deps(), AT);
    expect(first.waiting).toBe(1);
    expect(delivery('claim-decision:claim-9:silent')).toMatchObject({ delivery: 'pending', attempts: 0 });
    await store.transact((tx) => tx.put(['conversations', conversation('silent', connector.url)]));
    await runPass(deps(virtualClock(AT + HOUR)), AT + HOUR);
    expect(delivery('claim-decision:claim-9:silent')).toMatchObject({ delivery: 'sent', attempts: 1 });
    expect(requestsTo('conv-silent')).toBe(1);
  });

  it('leave a send that got no answer for the next pass, without a burst of retries', async () => {
    await store.transact((tx) => tx.put(['conversations', conversation('silent', 'http://127.0.0.1:9/')]));
    await store.transact((tx) => tx.put(['notifications', decision('silent')]));
    const report = await runPass(deps(), AT);
    // The decision and the renewal reminder, both to a port where nothing listens.
    expect(report.deferred).toBe(2);
    expect(delivery('claim-decision:claim-9:silent')).toMatchObject({ delivery: 'pending', attempts: 1 });
    expect(delivery('renewal-reminder:silent:0:30')).toMatchObject({ delivery: 'pending', attempts: 1 });
  });

  it('stay pending, unwritten, when the pass is stopped before trying them', async () => {
    const stopped = new AbortController();
    stopped.abort();
    const report = await runPass({ ...deps(), signal: stopped.signal }, AT);
    expect(report).toMatchObject({ sent: 0, deferred: 8 });
    expect(connector.requests).toEqual([]);
    expect(delivery('renewal-reminder:ok:0:30')).toMatchObject({ delivery: 'pending', attempts: 0 });
    expect(delivery('renewal-reminder:ok:0:30')?.lastError).toBeUndefined();
  });
});
