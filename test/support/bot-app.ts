// The bot's commands and card actions without HTTP: BotApp over a real store in a temporary folder,
// with callers made as the Teams glue makes them. Each harness removes its folder when closed.
import { BotApp, type Caller, type Reply } from '../../src/bot/app.js';
import { readConfig } from '../../src/config.js';
import { replyText } from './card-text.js';
import { NOW, perTest, seededStore, type SeededStore } from './seeded-store.js';

export { NOW } from './seeded-store.js';

/** Someone writing to the bot: their Teams user id, name, the email Teams knows, administrator or not. */
export interface Person {
  userId: string;
  name: string;
  email?: string;
  admin?: boolean;
}

export interface AppHarness extends SeededStore {
  app: BotApp;
  /** The caller the Teams glue would make: the member by user id, else by the email Teams knows. */
  caller(person: Person): Caller;
  /** A typed message; the reply as text. */
  say(person: Person, text: string): Promise<string>;
  /** A card action; the reply and its text. */
  act(person: Person, verb: string, data: Record<string, unknown>): Promise<{ reply: Reply; text: string }>;
}

export async function startApp(seed: unknown[] = []): Promise<AppHarness> {
  const seeded = await seededStore(seed);
  let ids = 0;
  const app = new BotApp({
    store: seeded.store,
    catalog: seeded.catalog,
    now: () => NOW,
    reminderDays: readConfig({}).notify.reminderDays,
    newId: () => `id-${String((ids += 1)).padStart(6, '0')}`,
  });
  const caller = (person: Person): Caller => {
    const member = app.memberOf({ userId: person.userId }) ?? (person.email ? app.memberOf({ email: person.email }) : undefined);
    return {
      userId: person.userId,
      name: person.name,
      ...(person.email !== undefined && { email: person.email }),
      isAdmin: person.admin === true,
      ...(member && { member }),
    };
  };
  return {
    ...seeded,
    app,
    caller,
    say: async (person, text) => replyText(await app.command(caller(person), text)),
    async act(person, verb, data) {
      const reply = await app.action(caller(person), verb, data);
      return { reply, text: replyText(reply) };
    },
  };
}

/** A new harness for each test of the file, closed after it; call the result inside a test. */
export const appPerTest = (seed: unknown[] = []) => perTest(() => startApp(seed));
