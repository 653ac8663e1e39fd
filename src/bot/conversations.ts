// Conversation references as an activity carries them: how the proactive loop reaches a member in
// their personal chat with the bot. services/members.ts decides when one is saved or set aside.
import type { Activity } from 'botbuilder';
import type { ConversationReference } from '../services/members.js';

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
export function referenceOf(activity: Partial<Activity>): ConversationReference | null {
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
