// The words the bot answers with: the reply shape, number formats and the sentences several commands
// share. Refusals arrive as codes from the use cases; the sentences are made here.
import { messageCard, type Card, type MessageCard } from '../cards/cards.js';
import { COMMANDS, type CommandInfo } from './command-list.js';

export interface Reply {
  text?: string;
  cards?: Card[];
}

export const text = (t: string): Reply => ({ text: t });
export const message = (m: MessageCard): Reply => ({ cards: [messageCard(m)] });
export const number = (n: number) => n.toLocaleString('en-US');
export const signed = (n: number) => (n > 0 ? `+${number(n)}` : number(n));

export function notEnrolled(): Reply {
  return text('You are not enrolled in the DevOps Professional Program yet. Type **join** to enrol, starting today.');
}

export function refusedForNonAdmin(name: string): Reply {
  return text(`**${name}** is for administrators. Nothing was changed.`);
}

export function usage(info: CommandInfo): string {
  return `**${info.name}**${info.usage ? ` ${info.usage}` : ''}`;
}

/** "Usage: **award** <member email or id> …", from the command list. */
export function usageOf(name: string): Reply {
  const info = COMMANDS.find((c) => c.name === name);
  return text(`Usage: ${info ? usage(info) : `**${name}**`}`);
}

export const membershipStarts = (signedUpAt: string): Reply => text(`Your membership starts on ${signedUpAt}.`);
