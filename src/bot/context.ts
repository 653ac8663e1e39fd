// What a command or card action is given: who asks, the use cases' dependencies, the data as it
// stands (read only: every write goes through src/services) and the instant of the turn.
import type { ServiceDeps, Caller } from '../services/context.js';
import type { State } from '../store/state.js';
import type { Reply } from './replies.js';

export type { Caller } from '../services/context.js';

export interface AppDeps extends ServiceDeps {
  /** Days before the anniversary that members are reminded (REMINDER_DAYS). */
  reminderDays: readonly number[];
}

export interface Context {
  caller: Caller;
  deps: AppDeps;
  state: State;
  now: number;
}

/** What a command does with its arguments. */
export type Run = (ctx: Context, args: string[]) => Reply | Promise<Reply>;
