// A person's own membership: joining, their preferences, and the personal conversation the proactive
// loop reaches them in.
import { sameJson } from '../core/json.js';
import { dateIn, toUtcIso } from '../core/time.js';
import type { Member } from '../core/ledger.js';
import { accept, refuse, type Problem, type Result } from '../core/result.js';
import type { ConversationRecord } from '../store/schema.js';
import { notEnrolled, type Caller, type ServiceDeps } from './context.js';

export type JoinProblem = Problem<'ALREADY_ENROLLED' | 'NO_EMAIL' | 'EMAIL_TAKEN'>;

/** Enrols the caller today, under the email Teams gave; a second join changes nothing. */
export async function join(deps: Pick<ServiceDeps, 'store' | 'catalog' | 'now'>, caller: Caller): Promise<Result<{ member: Member }, JoinProblem>> {
  if (caller.member) return refuse('ALREADY_ENROLLED', `you joined on ${caller.member.signedUpAt}`);
  if (!caller.email) return refuse('NO_EMAIL', 'no email address is known for you');
  const email = caller.email.toLowerCase();
  const today = dateIn(deps.now(), deps.catalog.timeZone);
  return deps.store.transact((tx): Result<{ member: Member }, JoinProblem> => {
    const taken = tx.view.memberByEmail(email);
    if (taken && taken.id !== caller.userId) return refuse('EMAIL_TAKEN', `the email ${email} already belongs to another member`);
    if (taken || tx.view.member(caller.userId)) return refuse('ALREADY_ENROLLED', 'you are already enrolled');
    const member: Member = { id: caller.userId, email, name: caller.name || email, signedUpAt: today };
    tx.put(['members', member]);
    return accept({ member });
  });
}

type PreferenceChange = Result<{ changed: boolean }, Problem<'NOT_ENROLLED'>>;

async function setPreference(deps: Pick<ServiceDeps, 'store'>, caller: Caller, key: 'notificationsOff' | 'leaderboardOptOut', value: boolean): Promise<PreferenceChange> {
  const me = caller.member;
  if (!me) return notEnrolled();
  return deps.store.transact((tx) => {
    const current = tx.view.preferences.get(me.id);
    if ((current?.[key] === true) === value) return accept({ changed: false });
    tx.put(['preferences', { ...current, id: me.id, [key]: value }]);
    return accept({ changed: true });
  });
}

/** Renewal reminders off or on (promotions, outcomes and claim decisions always arrive). */
export const setNotifications = (deps: Pick<ServiceDeps, 'store'>, caller: Caller, input: { off: boolean }) => setPreference(deps, caller, 'notificationsOff', input.off);

export const setLeaderboardOptOut = (deps: Pick<ServiceDeps, 'store'>, caller: Caller, input: { optOut: boolean }) => setPreference(deps, caller, 'leaderboardOptOut', input.optOut);

export type ConversationReference = ConversationRecord['reference'];

/** Nothing to write: the same open conversation, with the same member. */
function unchanged(known: ConversationRecord | undefined, reference: ConversationReference, memberId: string | undefined): boolean {
  return known !== undefined && !known.removedAt && !known.unreachable && known.memberId === (memberId ?? known.memberId) && sameJson(known.reference, reference);
}

/**
 * Saves the reference of the caller's personal conversation when something changed: a new or moved
 * conversation, a member now known, or a member who was unreachable or had removed the app and writes
 * again. Most messages write nothing. `opened` when this turn opened the conversation: none was saved,
 * or the app had been removed (an uninstall, or sends refused as unreachable) since. Decided inside the
 * transaction, so that of two turns arriving together (Teams sends installationUpdate and
 * conversationUpdate for one install) only one opens it.
 */
export async function rememberConversation(
  deps: Pick<ServiceDeps, 'store' | 'now'>,
  caller: Pick<Caller, 'userId' | 'member'>,
  reference: ConversationReference,
): Promise<Result<{ opened: boolean }, never>> {
  const { userId } = caller;
  const memberId = caller.member?.id;
  if (unchanged(deps.store.state.conversations.get(userId), reference, memberId)) return accept({ opened: false });
  const savedAt = toUtcIso(deps.now());
  return deps.store.transact((tx) => {
    const known = tx.view.conversations.get(userId);
    if (unchanged(known, reference, memberId)) return accept({ opened: false });
    // A member found once stays linked: a later turn whose email lookup failed (throttled, timed out)
    // does not know the member, but the user is still the same.
    const member = memberId ?? known?.memberId;
    tx.put(['conversations', { id: userId, ...(member !== undefined && { memberId: member }), reference, savedAt }]);
    return accept({ opened: !known || known.removedAt !== undefined || known.unreachable !== undefined });
  });
}

/** The app was removed from the caller's personal scope: nothing more is sent until it is installed again. */
export async function forgetConversation(deps: Pick<ServiceDeps, 'store' | 'now'>, caller: Pick<Caller, 'userId'>): Promise<Result<{ forgotten: boolean }, never>> {
  const gone = (known: ConversationRecord | undefined) => !known || known.removedAt !== undefined;
  if (gone(deps.store.state.conversations.get(caller.userId))) return accept({ forgotten: false });
  const removedAt = toUtcIso(deps.now());
  return deps.store.transact((tx) => {
    const known = tx.view.conversations.get(caller.userId);
    if (!known || gone(known)) return accept({ forgotten: false });
    tx.put(['conversations', { ...known, removedAt }]);
    return accept({ forgotten: true });
  });
}
