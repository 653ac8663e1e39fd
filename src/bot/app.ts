// What the bot does, free of the Bot Framework: a command table and a card-action table, each entry
// taking one context and returning a reply. The Teams glue (bot.ts) turns activities into calls here;
// the commands (commands.*.ts) and card actions (actions.*.ts) read the state and call src/services
// for every change.
import type { Member } from '../core/ledger.js';
import { forgetConversation, rememberConversation, type ConversationReference } from '../services/members.js';
import { actionTable } from './actions.claims.js';
import { welcomeCard } from '../cards/cards.js';
import { COMMANDS, type CommandInfo } from './command-list.js';
import { award, member, review, revoke } from './commands.admin.js';
import { attendanceForm, claimForm, help, history, join, leaderboard, notifications, partner, points } from './commands.member.js';
import { earn, levels } from './commands.program.js';
import type { AppDeps, Caller, Context, Run } from './context.js';
import { number, refusedForNonAdmin, text, type Reply } from './replies.js';

export type { AppDeps, Caller } from './context.js';
export type { Reply } from './replies.js';

const MAX_COMMAND_LENGTH = 2000;

const RUN: Record<string, Run> = {
  points,
  history,
  levels,
  earn,
  join,
  claim: claimForm,
  attendance: attendanceForm,
  leaderboard,
  partner,
  notifications,
  help,
  review,
  award,
  revoke,
  member,
};

/** The command table: COMMANDS (the data the manifest and /help share) joined with what each does. */
export const commandTable: readonly (CommandInfo & { run: Run })[] = COMMANDS.map((info) => {
  const run = RUN[info.name];
  if (!run) throw new Error(`command ${info.name} has nothing to run`);
  return { ...info, run };
});

/** Splits a message into a command and its arguments: case-insensitive, the leading slash optional. */
export function parseCommand(input: string): { name: string; args: string[] } | null {
  const words = input.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  return { name: words[0]!.replace(/^\//, '').toLowerCase(), args: words.slice(1) };
}

export class BotApp {
  constructor(private readonly deps: AppDeps) {}

  private context(caller: Caller): Context {
    return { caller, deps: this.deps, state: this.deps.store.state, now: this.deps.now() };
  }

  /** A typed message. Never silent: anything unknown gets a short help. */
  async command(caller: Caller, input: string): Promise<Reply> {
    if (input.length > MAX_COMMAND_LENGTH) return text(`That message is too long for a command (${number(input.length)} characters). Type **help** for the commands.`);
    const parsed = parseCommand(input);
    const entry = parsed && commandTable.find((c) => c.name === parsed.name);
    if (!parsed || !entry) {
      const shown = parsed ? `"${parsed.name.slice(0, 40)}"` : 'an empty message';
      return text(`I don't know ${shown}. Try **points**, **claim**, **attendance** or **help** for everything I can do.`);
    }
    if (entry.admin && !caller.isAdmin) return refusedForNonAdmin(entry.name);
    return entry.run(this.context(caller), parsed.args);
  }

  /** The welcome of a new install in personal chat. */
  welcome(caller: Caller): Reply {
    return { cards: [welcomeCard(this.deps.catalog, caller.member)] };
  }

  /** A card action (Action.Execute or Action.Submit), dispatched on its verb. */
  async action(caller: Caller, verb: unknown, data: Record<string, unknown>): Promise<Reply> {
    const action = typeof verb === 'string' && Object.hasOwn(actionTable, verb) ? actionTable[verb] : undefined;
    if (!action) return text('This card action is not known. Type **help** for what I can do.');
    if (action.admin && !caller.isAdmin) return refusedForNonAdmin(String(verb));
    return action.run(this.context(caller), data);
  }

  /** Keeps the reference of the caller's personal chat; true when this turn opened it (an install). */
  async remember(caller: Pick<Caller, 'userId' | 'member'>, reference: ConversationReference): Promise<boolean> {
    return (await rememberConversation(this.deps, caller, reference)).value.opened;
  }

  /** The app was removed from the caller's personal chat. */
  async forget(caller: Pick<Caller, 'userId'>): Promise<void> {
    await forgetConversation(this.deps, caller);
  }

  /** Who is speaking: the member with this user id, or with the email Teams knows for them. */
  memberOf(who: { userId: string } | { email: string }): Member | undefined {
    const { state } = this.deps.store;
    return 'userId' in who ? state.member(who.userId) : state.memberByEmail(who.email);
  }
}
