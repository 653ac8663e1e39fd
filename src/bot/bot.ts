// The Teams glue: turns activities into BotApp calls and replies into activities. Identity and role
// come from the activity only.
import {
  ActivityTypes,
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type Activity,
} from 'botbuilder';
import type { Logger } from 'pino';
import { isObject } from '../core/json.js';
import type { Member } from '../core/ledger.js';
import type { BotApp, Caller, Reply } from './app.js';
import { messageCard } from '../cards/cards.js';
import { isPersonal, referenceOf, text } from './conversations.js';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
/**
 * The only channel whose user ids are the member's own: Teams fills `from` from the signed-in user.
 * On Web Chat or Direct Line the client picks `from.id` itself and could name an administrator.
 */
export const TEAMS_CHANNEL = 'msteams';
const ONLY_TEAMS = 'DevOps Points works in Microsoft Teams only: open the app in Teams to see your points.';

/** The user behind an activity: the Entra object id Teams sends, else the channel's user id. */
export function userIdOf(from: Activity['from']): string {
  return text(from.aadObjectId, 100) ?? from.id;
}

/** What a message asks for, read from the activity alone. */
type Request = { kind: 'action'; verb: unknown; data: Record<string, unknown> } | { kind: 'command'; text: string } | { kind: 'unreadable' };

function requestOf(activity: Activity): Request {
  // An Action.Submit fallback: the card's data (with its inputs) arrives as the message value.
  if (isObject(activity.value)) return { kind: 'action', verb: activity.value.verb, data: activity.value };
  if (activity.value !== undefined && !activity.text) return { kind: 'unreadable' };
  return { kind: 'command', text: commandText(activity) };
}

export class PointsBot extends TeamsActivityHandler {
  constructor(
    private readonly app: BotApp,
    private readonly admins: ReadonlySet<string>,
    private readonly log: Logger,
  ) {
    super();
    this.onMessage(async (context, next) => {
      await this.message(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.installed(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.forget(context);
      await next();
    });
    // Older clients announce an install in a personal chat as the bot joining the conversation; Teams
    // may also send both for one install (the welcome goes out once: see installed).
    this.onMembersAdded(async (context, next) => {
      if (context.activity.membersAdded?.some((m) => m.id === context.activity.recipient.id)) await this.installed(context);
      await next();
    });
    this.onMembersRemoved(async (context, next) => {
      if (context.activity.membersRemoved?.some((m) => m.id === context.activity.recipient.id)) await this.forget(context);
      await next();
    });
  }

  /** Anything from another channel gets a polite refusal and touches nothing: no store read, no write. */
  override async run(context: TurnContext): Promise<void> {
    if (context.activity.channelId === TEAMS_CHANNEL) return super.run(context);
    this.log.info({ channel: context.activity.channelId, type: context.activity.type }, 'activity from a channel other than Teams refused');
    if (context.activity.type === ActivityTypes.Message) await context.sendActivity(ONLY_TEAMS);
    else if (context.activity.type === ActivityTypes.Invoke) {
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: ONLY_TEAMS } } });
    }
  }

  /**
   * Keeps the reference of a personal chat (every turn: Teams may move a conversation to another
   * serviceUrl). True when this turn opened it (new, or back after the app was removed).
   */
  private async remember(context: TurnContext, caller: Caller): Promise<boolean> {
    const reference = isPersonal(context.activity) ? referenceOf(context.activity) : null;
    return reference ? this.app.remember(caller, reference) : false;
  }

  /**
   * An install: the reference is saved, and a personal chat it opens gets the welcome, once per
   * install as the Teams store asks (group chats and teams get none).
   */
  private async installed(context: TurnContext): Promise<void> {
    const caller = await this.caller(context);
    if (await this.remember(context, caller)) await send(context, this.app.welcome(caller));
  }

  private async forget(context: TurnContext): Promise<void> {
    if (!isPersonal(context.activity)) return;
    await this.app.forget({ userId: userIdOf(context.activity.from) });
  }

  /** The member behind the activity: by AAD object id, else by the email Teams knows for the user. */
  private async caller(context: TurnContext): Promise<Caller> {
    const from = context.activity.from;
    const userId = userIdOf(from);
    let member: Member | undefined = this.app.memberOf({ userId });
    let email: string | undefined;
    if (!member) {
      email = await this.emailOf(context);
      member = email ? this.app.memberOf({ email }) : undefined;
    }
    return {
      userId,
      name: text(from.name, 200) ?? '',
      ...(email !== undefined && { email }),
      isAdmin: this.admins.has(userId.toLowerCase()),
      ...(member && { member }),
    };
  }

  private async emailOf(context: TurnContext): Promise<string | undefined> {
    try {
      const account = await TeamsInfo.getMember(context, context.activity.from.id);
      return account.email ?? account.userPrincipalName ?? undefined;
    } catch (error) {
      this.log.debug({ err: error, user: context.activity.from.id }, 'no email for the user from Teams');
      return undefined;
    }
  }

  private async message(context: TurnContext): Promise<void> {
    const request = requestOf(context.activity);
    const caller = await this.caller(context);
    await this.remember(context, caller);
    let reply: Reply;
    if (request.kind === 'action') reply = await this.app.action(caller, request.verb, request.data);
    else if (request.kind === 'command') reply = await this.app.command(caller, request.text);
    else reply = { text: 'That card submission could not be read. Type **help** for what I can do.' };
    await send(context, reply);
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const action: Record<string, unknown> = isObject(invokeValue.action) ? (invokeValue.action as unknown as Record<string, unknown>) : {};
    const data = isObject(action.data) ? action.data : {};
    const caller = await this.caller(context);
    await this.remember(context, caller);
    const reply = await this.app.action(caller, action.verb, data);
    // The card is replaced in place by the outcome.
    const card = reply.cards?.[0] ?? messageCard({ title: reply.text ?? 'Done.' });
    return { statusCode: 200, type: ADAPTIVE_CARD, value: card as unknown as AdaptiveCardInvokeResponse['value'] };
  }
}

/** The typed text without the bot's mention (group chats and channels) or any leftover mention tag. */
function commandText(activity: Activity): string {
  const text = TurnContext.removeRecipientMention(activity) ?? activity.text ?? '';
  return text.replace(/<at>[^<]*<\/at>/g, ' ').trim();
}

async function send(context: TurnContext, reply: Reply): Promise<void> {
  const activities: Partial<Activity>[] = [];
  if (reply.text) activities.push(MessageFactory.text(reply.text));
  for (const card of reply.cards ?? []) activities.push(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  if (activities.length > 0) await context.sendActivities(activities);
}
