// Conversation references: how the proactive loop reaches a member in their personal chat with the
// bot. Saved on install, refreshed by every message (Teams may move a conversation to another
// serviceUrl), and set aside on uninstall.
import type { Activity } from 'botbuilder';
import { toUtcIso } from '../core/time.js';
import type { ConversationRecord } from '../store/schema.js';
import type { Store } from '../store/store.js';

/** Only a personal chat can carry a member's own notifications. */
export function isPersonal(activity: Partial<Activity>): boolean {
  const type = activity.conversation?.conversationType;
  return type === undefined || type === 'personal';
}

/** A field the store can keep: a non-empty string of sane length, else nothing (a client may send any JSON). */
export function text(value: unknown, max = 1000): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

/** The reference continueConversationAsync needs, from well-typed fields only; null when one it needs is missing. */
export function referenceOf(activity: Partial<Activity>): ConversationRecord['reference'] | null {
  const from = activity.from ?? ({} as Partial<Activity['from']>);
  const recipient = activity.recipient ?? ({} as Partial<Activity['recipient']>);
  const conversation = activity.conversation ?? ({} as Partial<Activity['conversation']>);
  const userId = text(from.id);
  const botId = text(recipient.id);
  const conversationId = text(conversation.id);
  const serviceUrl = text(activity.serviceUrl, 2000);
  const channelId = text(activity.channelId, 100);
  if (!userId || !botId || !conversationId || !serviceUrl || !channelId) return null;
  const conversationType = text(conversation.conversationType, 100);
  const tenantId = text(conversation.tenantId, 100) ?? text((activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id, 100);
  const userName = text(from.name);
  const aadObjectId = text(from.aadObjectId, 100);
  const botName = text(recipient.name);
  const locale = text(activity.locale, 100);
  return {
    channelId,
    serviceUrl,
    conversation: { id: conversationId, ...(conversationType && { conversationType }), ...(tenantId && { tenantId }) },
    user: { id: userId, ...(userName && { name: userName }), ...(aadObjectId && { aadObjectId }) },
    bot: { id: botId, ...(botName && { name: botName }) },
    ...(locale && { locale }),
  };
}

const sameReference = (a: ConversationRecord['reference'], b: ConversationRecord['reference']) => JSON.stringify(a) === JSON.stringify(b);

/** Nothing to write: the same open conversation, with the same member. */
function unchanged(known: ConversationRecord | undefined, reference: ConversationRecord['reference'], memberId: string | undefined): boolean {
  return known !== undefined && !known.removedAt && !known.unreachable && known.memberId === (memberId ?? known.memberId) && sameReference(known.reference, reference);
}

/**
 * Saves the reference when something changed: a new or moved conversation, a member now known, or a
 * member who was unreachable or had removed the app and writes again. Most messages write nothing.
 * True when this turn opened the conversation: none was saved, or the app had been removed (an
 * uninstall, or sends refused as unreachable) since. Decided inside the transaction, so that of two
 * turns arriving together (Teams sends installationUpdate and conversationUpdate for one install) only
 * one opens it.
 */
export async function rememberConversation(store: Store, activity: Partial<Activity>, userId: string, memberId: string | undefined, now: number): Promise<boolean> {
  if (!isPersonal(activity)) return false;
  const reference = referenceOf(activity);
  if (!reference) return false;
  if (unchanged(store.state.conversations.get(userId), reference, memberId)) return false;
  return store.transact((tx) => {
    const known = tx.view.conversations.get(userId);
    if (unchanged(known, reference, memberId)) return false;
    // A member found once stays linked: a later turn whose email lookup failed (throttled, timed out)
    // does not know the member, but the user is still the same.
    const member = memberId ?? known?.memberId;
    tx.put(['conversations', { id: userId, ...(member !== undefined && { memberId: member }), reference, savedAt: toUtcIso(now) }]);
    return !known || known.removedAt !== undefined || known.unreachable !== undefined;
  });
}

/** The app was removed from the personal scope: nothing more is sent until it is installed again. */
export async function forgetConversation(store: Store, userId: string, now: number): Promise<void> {
  const known = store.state.conversations.get(userId);
  if (!known || known.removedAt) return;
  await store.transact((tx) => tx.put(['conversations', { ...known, removedAt: toUtcIso(now) }]));
}
