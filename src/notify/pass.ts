// One notification pass: work out what is due since the last pass, write it to the outbox together
// with the new pass marker (one transaction), then deliver everything pending in the outbox and mark
// each one as it settles. A pass killed at any moment loses nothing: what was written stays pending
// and the next pass sends it. The one window: a message the service accepted whose "sent" mark was
// not yet on disk when the process died is sent again by the next pass; a send does not start while
// SENDS_IN_FLIGHT others wait for their mark, so that is at most SENDS_IN_FLIGHT messages.
import type { Logger } from 'pino';
import type { Catalog } from '../core/catalog.js';
import { dueFor, partnerLevelsDue, type DueNotice, type Notification } from '../core/notices.js';
import { toUtcIso } from '../core/time.js';
import type { ConversationRecord } from '../store/schema.js';
import type { State } from '../store/state.js';
import type { PointsStore } from '../store/contract.js';
import type { NotifyConfig } from '../config.js';
import { deliverAll, NotSent, SENDS_IN_FLIGHT, type Clock, type DeliverOptions, type Verdict } from './deliver.js';
import { noticeCard } from './messages.js';
import type { Transport } from './transport.js';

export const PASS_MARKER = 'notify-pass';
/** A store that never ran a pass looks back this far; older promotions are recorded as known. */
export const FIRST_PASS_LOOKBACK_MS = 7 * 24 * 3_600_000;

export type PlanState = 'new' | 'baseline' | 'no-conversation' | 'unreachable' | 'pending';

export interface PlannedNotice {
  notice: DueNotice['notice'] | Notification;
  state: PlanState;
}

export interface PassPlan {
  from: number;
  at: number;
  firstPass: boolean;
  items: PlannedNotice[];
}

/** Whether a member's conversation can take a message now, and if not, why (a code; see describeUnreachable). */
export type Reach =
  | { code: 'reachable'; conversation: ConversationRecord }
  /** Never talked to the bot. */
  | { code: 'no-conversation' }
  | { code: 'app-removed'; since: string }
  /** A send was answered 403 or 404 (blocked, app disabled, conversation gone). */
  | { code: 'unreachable'; since: string; status: number };

export function reachOf(conversation: ConversationRecord | undefined): Reach {
  if (!conversation) return { code: 'no-conversation' };
  if (conversation.removedAt) return { code: 'app-removed', since: conversation.removedAt };
  if (conversation.unreachable) return { code: 'unreachable', since: conversation.unreachable.since, status: conversation.unreachable.status };
  return { code: 'reachable', conversation };
}

/** The sentence for the log and the outbox record. */
export function describeUnreachable(reach: Exclude<Reach, { code: 'reachable' }>): string {
  switch (reach.code) {
    case 'no-conversation':
      return 'never talked to the bot';
    case 'app-removed':
      return `removed the app on ${reach.since.slice(0, 10)}`;
    case 'unreachable':
      return `unreachable since ${reach.since.slice(0, 10)} (${reach.status})`;
  }
}

/**
 * What a pass at `at` would do: notices newly due (not yet in the outbox) and what the outbox holds
 * pending. Reads the state only.
 */
export function planPass(state: State, catalog: Catalog, at: number, reminderDays: readonly number[]): PassPlan {
  const marker = state.markers.get(PASS_MARKER);
  const previous = marker ? Date.parse(marker.at) : undefined;
  const firstPass = previous === undefined;
  const from = previous ?? at - FIRST_PASS_LOOKBACK_MS;
  const items: PlannedNotice[] = [];
  for (const notice of state.notifications.values()) if (notice.delivery === 'pending') items.push({ notice, state: 'pending' });
  const window = { from, at, ...(firstPass && { baselineBefore: from }) };
  const add = (due: readonly DueNotice[]) => {
    for (const { notice, baseline } of due) {
      if (state.notifications.has(notice.id)) continue;
      const { code } = reachOf(state.conversationOf(notice.memberId));
      const planned: PlanState = baseline ? 'baseline' : code === 'reachable' ? 'new' : code === 'no-conversation' ? 'no-conversation' : 'unreachable';
      items.push({ notice, state: planned });
    }
  };
  if (at > from) {
    for (const member of state.members.values()) {
      const muted = state.preferences.get(member.id)?.notificationsOff === true;
      add(dueFor(catalog, member, state.entriesOf(member.id), window, { reminderDays, muted }));
    }
    for (const partnerId of state.partners.keys()) {
      const people = state.membersOf(partnerId);
      const input = people.length > 0 ? state.partnerInput(partnerId) : undefined;
      if (input) add(partnerLevelsDue(catalog, input, people, window));
    }
  }
  return { from, at, firstPass, items };
}

export interface PassReport {
  at: string;
  from: string;
  firstPass: boolean;
  /** Newly due and written to the outbox. */
  queued: number;
  /** Promotions from before the first pass, recorded as known and not sent. */
  baseline: number;
  /** Due for members who never talked to the bot: not sent, counted. */
  noConversation: number;
  /** Due for members who removed the app or were found unreachable: not sent, counted. */
  unreachable: number;
  sent: number;
  failed: number;
  /** Marked unreachable while sending (403, 404). */
  markedUnreachable: number;
  /** Left pending for the next pass. */
  deferred: number;
  /** Pending in the outbox for members who cannot be reached now: kept until they can. */
  waiting: number;
}

export interface PassDeps {
  store: PointsStore;
  catalog: Catalog;
  settings: NotifyConfig;
  transport: Transport;
  log: Logger;
  /** realClock in the bot and the CLI; a virtual one in tests. */
  clock: Clock;
  /** Backoff and waiting limits, shorter in tests. */
  timing?: Partial<Pick<DeliverOptions, 'backoffMs' | 'maxBackoffMs' | 'maxWaitMs' | 'sendTimeoutMs'>>;
  /** Aborted when the bot stops: what is not yet sent stays pending. */
  signal?: AbortSignal;
  /** Told how many of the outbox's notices have settled (sent or not), first with 0 (the CLI's progress). */
  onProgress?: (settled: number, total: number) => void;
}

const settledAs = (verdict: Verdict): Notification['delivery'] =>
  verdict.kind === 'sent' ? 'sent' : verdict.kind === 'deferred' ? 'pending' : verdict.kind === 'unreachable' ? 'unreachable' : 'failed';

export async function runPass(deps: PassDeps, at: number): Promise<PassReport> {
  const { store, catalog, settings, log } = deps;
  const stamp = toUtcIso(at);
  // Planning and writing the plan are one transaction: no write can slip in between.
  const plan = await store.transact((tx) => {
    const planned = planPass(tx.view, catalog, at, settings.reminderDays);
    for (const item of planned.items) {
      if (item.state === 'new') tx.put(['notifications', { ...item.notice, delivery: 'pending', attempts: 0 } as Notification]);
      if (item.state === 'baseline') {
        tx.put(['notifications', { ...item.notice, delivery: 'skipped', attempts: 0, lastError: 'reached before notifications started' } as Notification]);
      }
    }
    const marker = tx.view.markers.get(PASS_MARKER);
    if (!marker || Date.parse(marker.at) < at) tx.put(['markers', { id: PASS_MARKER, at: stamp }]);
    return planned;
  });
  const count = (state: PlanState) => plan.items.filter((i) => i.state === state).length;
  const report: PassReport = {
    at: stamp,
    from: toUtcIso(plan.from),
    firstPass: plan.firstPass,
    queued: count('new'),
    baseline: count('baseline'),
    noConversation: count('no-conversation'),
    unreachable: count('unreachable'),
    sent: 0,
    failed: 0,
    markedUnreachable: 0,
    deferred: 0,
    waiting: 0,
  };

  // A pending notice for a member who cannot be reached now (no conversation, app removed, blocked)
  // waits in the outbox: it goes out once they talk to the bot again.
  const pending = [...store.state.notifications.values()]
    .filter((n) => n.delivery === 'pending')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const outbox = pending.filter((n) => reachOf(store.state.conversationOf(n.memberId)).code === 'reachable');
  report.waiting = pending.length - outbox.length;
  let settled = 0;
  deps.onProgress?.(0, outbox.length);
  /** The conversation each notice went to, so a 403 or 404 marks that one and not a newer one. */
  const sentTo = new Map<string, string>();

  const settle = async (notice: Notification, verdict: Verdict): Promise<void> => {
    settled += 1;
    deps.onProgress?.(settled, outbox.length);
    const delivery = settledAs(verdict);
    if (verdict.kind === 'sent') report.sent += 1;
    else if (verdict.kind === 'failed') report.failed += 1;
    else if (verdict.kind === 'unreachable') report.markedUnreachable += 1;
    else report.deferred += 1;
    // Stopped before a try: nothing to record, it is still pending.
    if (verdict.kind === 'deferred' && verdict.attempts === 0) return;
    if (verdict.kind !== 'sent') log.warn({ member: notice.memberId, notice: notice.id, verdict: verdict.kind, attempts: verdict.attempts, reason: verdict.reason }, 'notification not delivered');
    await store.transact((tx) => {
      const current = tx.view.notifications.get(notice.id) ?? notice;
      tx.put([
        'notifications',
        {
          ...current,
          delivery,
          attempts: current.attempts + verdict.attempts,
          ...(verdict.kind === 'sent' && { sentAt: toUtcIso(deps.clock.now()) }),
          ...(verdict.kind !== 'sent' && { lastError: verdict.reason }),
        },
      ]);
      if (verdict.kind === 'unreachable') {
        const conversation = tx.view.conversationOf(notice.memberId);
        if (conversation && !conversation.unreachable && conversation.savedAt === sentTo.get(notice.id)) {
          tx.put(['conversations', { ...conversation, unreachable: { since: toUtcIso(deps.clock.now()), status: verdict.status, reason: verdict.reason } }]);
        }
      }
    });
  };

  await deliverAll(
    outbox,
    async (notice) => {
      const reach = reachOf(store.state.conversationOf(notice.memberId));
      // A member found unreachable earlier in this pass is not tried again; the notice waits.
      if (reach.code !== 'reachable') throw new NotSent(describeUnreachable(reach));
      const card = noticeCard(catalog, notice);
      sentTo.set(notice.id, reach.conversation.savedAt);
      await deps.transport.send(reach.conversation.reference, card);
    },
    settle,
    {
      rate: settings.rate,
      maxAttempts: settings.maxAttempts,
      inFlight: SENDS_IN_FLIGHT,
      backoffMs: deps.timing?.backoffMs ?? 1000,
      maxBackoffMs: deps.timing?.maxBackoffMs ?? 30_000,
      maxWaitMs: deps.timing?.maxWaitMs ?? 5 * 60_000,
      sendTimeoutMs: deps.timing?.sendTimeoutMs ?? 30_000,
      now: deps.clock.now,
      sleep: deps.clock.sleep,
      random: deps.clock.random,
      ...(deps.signal && { signal: deps.signal }),
    },
  );
  log.info(report, 'notification pass done');
  return report;
}
