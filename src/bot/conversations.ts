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

export function referenceOf(activity: Partial<Activity>): ConversationRecord['reference'] | null {
  const { from, recipient, conversation, serviceUrl, channelId } = activity;
  if (!from?.id || !recipient?.id || !conversation?.id || !serviceUrl || !channelId) return null;
  const tenantId = conversation.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  return {
    channelId,
    serviceUrl,
    conversation: {
      id: conversation.id,
      ...(conversation.conversationType && { conversationType: conversation.conversationType }),
      ...(tenantId && { tenantId }),
    },
    user: { id: from.id, ...(from.name && { name: from.name }), ...(from.aadObjectId && { aadObjectId: from.aadObjectId }) },
    bot: { id: recipient.id, ...(recipient.name && { name: recipient.name }) },
    ...(activity.locale && { locale: activity.locale }),
  };
}

const sameReference = (a: ConversationRecord['reference'], b: ConversationRecord['reference']) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Saves the reference when something changed: a new or moved conversation, a member now known, or a
 * member who was unreachable or had removed the app and writes again. Most messages write nothing.
 */
export async function rememberConversation(store: Store, activity: Partial<Activity>, userId: string, memberId: string | undefined, now: number): Promise<void> {
  if (!isPersonal(activity)) return;
  const reference = referenceOf(activity);
  if (!reference) return;
  const known = store.state.conversations.get(userId);
  // A member found once stays linked: a later turn whose email lookup failed (throttled, timed out)
  // does not know the member, but the user is still the same.
  const member = memberId ?? known?.memberId;
  if (known && !known.removedAt && !known.unreachable && known.memberId === member && sameReference(known.reference, reference)) return;
  await store.transact((tx) => {
    tx.put(['conversations', { id: userId, ...(member !== undefined && { memberId: member }), reference, savedAt: toUtcIso(now) }]);
  });
}

/** The app was removed from the personal scope: nothing more is sent until it is installed again. */
export async function forgetConversation(store: Store, userId: string, now: number): Promise<void> {
  const known = store.state.conversations.get(userId);
  if (!known || known.removedAt) return;
  await store.transact((tx) => tx.put(['conversations', { ...known, removedAt: toUtcIso(now) }]));
}
