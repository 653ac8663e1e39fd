// Joining, preferences and conversation references, as use cases over a real store: the outcome
// codes, and what is written (or not).
import { describe, expect, it } from 'vitest';
import type { ConversationReference } from '../../src/services/members.js';
import { forgetConversation, join, rememberConversation, setLeaderboardOptOut, setNotifications } from '../../src/services/members.js';
import type { Caller } from '../../src/services/context.js';
import { NOW, storePerTest } from '../support/seeded-store.js';
import { storeAdapters } from '../store/adapters.js';

const seed = [{ type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' }];

// The same cases on every adapter of the store: the JSON file and PostgreSQL.
describe.each(storeAdapters())('on the $name store', (adapter) => {
  const seeded = storePerTest(seed, async () => adapter.open(await adapter.fresh()));

  const deps = () => ({ store: seeded().store, catalog: seeded().catalog, now: () => NOW });
  const ann = (): Caller => ({ userId: 'aad-ann', name: 'Ann Peeters', isAdmin: false, member: seeded().store.state.member('aad-ann')! });
  const eve: Caller = { userId: 'aad-eve', name: 'Eve', email: 'Eve@Example.com', isAdmin: false };

  describe('join()', () => {
    it('enrols the caller today under their email, in lower case', async () => {
      expect(await join(deps(), eve)).toEqual({ ok: true, value: { member: { id: 'aad-eve', email: 'eve@example.com', name: 'Eve', signedUpAt: '2026-11-23' } } });
      expect(seeded().store.state.member('aad-eve')).toEqual({ id: 'aad-eve', email: 'eve@example.com', name: 'Eve', signedUpAt: '2026-11-23' });
    });

    it('names a member without a name by their email', async () => {
      await join(deps(), { ...eve, name: '' });
      expect(seeded().store.state.member('aad-eve')?.name).toBe('eve@example.com');
    });

    it.each([
      { what: 'a member', caller: () => ann(), code: 'ALREADY_ENROLLED' },
      { what: 'a caller without an email', caller: () => ({ ...eve, email: undefined }) as Caller, code: 'NO_EMAIL' },
      { what: "a caller with another member's email", caller: () => ({ ...eve, email: 'ANN@example.com' }), code: 'EMAIL_TAKEN' },
      { what: 'a caller enrolled since the turn began', caller: () => ({ ...eve, userId: 'aad-ann', email: 'ann@example.com' }), code: 'ALREADY_ENROLLED' },
    ])('refuses $what with $code and writes nothing', async ({ caller, code }) => {
      const before = [...seeded().store.state.members.values()];
      const result = await join(deps(), caller());
      expect(result).toMatchObject({ ok: false, problem: { code } });
      expect([...seeded().store.state.members.values()]).toEqual(before);
    });
  });

  describe('preferences', () => {
    it('turn reminders off and on, and the leaderboard, keeping each other', async () => {
      expect(await setNotifications(deps(), ann(), { off: true })).toEqual({ ok: true, value: { changed: true } });
      expect(await setNotifications(deps(), ann(), { off: true })).toEqual({ ok: true, value: { changed: false } });
      expect(await setLeaderboardOptOut(deps(), ann(), { optOut: true })).toEqual({ ok: true, value: { changed: true } });
      expect(seeded().store.state.preferences.get('aad-ann')).toEqual({ id: 'aad-ann', notificationsOff: true, leaderboardOptOut: true });
      expect(await setNotifications(deps(), ann(), { off: false })).toEqual({ ok: true, value: { changed: true } });
      expect(seeded().store.state.preferences.get('aad-ann')).toEqual({ id: 'aad-ann', notificationsOff: false, leaderboardOptOut: true });
    });

    it('write nothing when already so', async () => {
      expect(await setLeaderboardOptOut(deps(), ann(), { optOut: false })).toEqual({ ok: true, value: { changed: false } });
      expect(seeded().store.state.preferences.size).toBe(0);
    });

    it('refuse someone not enrolled', async () => {
      expect(await setNotifications(deps(), eve, { off: true })).toMatchObject({ ok: false, problem: { code: 'NOT_ENROLLED' } });
      expect(await setLeaderboardOptOut(deps(), eve, { optOut: true })).toMatchObject({ ok: false, problem: { code: 'NOT_ENROLLED' } });
      expect(seeded().store.state.preferences.size).toBe(0);
    });
  });

  describe('conversation references', () => {
    const reference = (serviceUrl = 'https://smba.example/emea/'): ConversationReference => ({
      channelId: 'msteams',
      serviceUrl,
      conversation: { id: 'conv-ann', conversationType: 'personal' },
      user: { id: '29:ann' },
      bot: { id: '28:bot' },
    });
    const saved = () => seeded().store.state.conversations.get('aad-ann');

    it('are saved with the member, and open the conversation the first time only', async () => {
      expect(await rememberConversation(deps(), ann(), reference())).toEqual({ ok: true, value: { opened: true } });
      expect(saved()).toEqual({ id: 'aad-ann', memberId: 'aad-ann', reference: reference(), savedAt: '2026-11-23T12:00:00.000Z' });
      const first = saved();
      expect(await rememberConversation(deps(), ann(), reference())).toEqual({ ok: true, value: { opened: false } });
      expect(saved()).toBe(first);
    });

    it('follow a moved serviceUrl without opening again, and keep the member when a later turn does not know them', async () => {
      await rememberConversation(deps(), ann(), reference());
      expect(await rememberConversation(deps(), { userId: 'aad-ann' }, reference('https://smba.example/amer/'))).toEqual({ ok: true, value: { opened: false } });
      expect(saved()).toMatchObject({ memberId: 'aad-ann', reference: { serviceUrl: 'https://smba.example/amer/' } });
    });

    it('are set aside on uninstall, once, and open again on the next turn', async () => {
      expect(await forgetConversation(deps(), ann())).toEqual({ ok: true, value: { forgotten: false } });
      await rememberConversation(deps(), ann(), reference());
      expect(await forgetConversation(deps(), ann())).toEqual({ ok: true, value: { forgotten: true } });
      expect(saved()?.removedAt).toBe('2026-11-23T12:00:00.000Z');
      expect(await forgetConversation(deps(), ann())).toEqual({ ok: true, value: { forgotten: false } });
      expect(await rememberConversation(deps(), ann(), reference())).toEqual({ ok: true, value: { opened: true } });
      expect(saved()?.removedAt).toBeUndefined();
    });

    it('open again a conversation Teams had refused as unreachable', async () => {
      await rememberConversation(deps(), ann(), reference());
      await seeded().store.transact((tx) => tx.put(['conversations', { ...saved()!, unreachable: { since: '2026-11-22T00:00:00.000Z', status: 403, reason: 'blocked' } }]));
      expect(await rememberConversation(deps(), ann(), reference())).toEqual({ ok: true, value: { opened: true } });
      expect(saved()?.unreachable).toBeUndefined();
    });

    it('of two turns arriving together, only one opens the conversation', async () => {
      const both = await Promise.all([rememberConversation(deps(), ann(), reference()), rememberConversation(deps(), ann(), reference())]);
      expect(both.map((r) => r.value.opened).sort()).toEqual([false, true]);
    });
  });
});
