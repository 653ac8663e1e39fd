// What a person reads in a reply: the message text and every TextBlock and fact of its cards.
import type { Reply } from '../../src/bot/app.js';

/** Every TextBlock and fact text of a card, joined; throws on a template expression left unexpanded. */
export function cardText(card: unknown): string {
  const json = JSON.stringify(card);
  if (json.includes('${')) throw new Error(`a card still holds a template expression: ${/.{0,40}\$\{[^}]*\}/.exec(json)?.[0]}`);
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string') parts.push(o.text);
      if (typeof o.title === 'string' && typeof o.value === 'string') parts.push(`${o.title}: ${o.value}`);
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return parts.join('\n');
}

/** A reply as text: its message text, then each card's text. */
export function replyText(reply: Reply): string {
  return [reply.text ?? '', ...(reply.cards ?? []).map(cardText)].join('\n');
}
