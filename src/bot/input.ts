// What arrives typed or from a card, turned into plain values for the use cases.
import { parseInteger } from '../core/numbers.js';

/**
 * A whole number typed in a command or sent by a card input (a number, or digits with an optional
 * minus sign): undefined when nothing was given, null when it is not a whole number.
 */
export function wholeNumber(value: unknown): number | null | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  return typeof value === 'string' ? parseInteger(value.trim()) : null;
}

/** Card inputs: only strings (at most 5,000 characters), numbers and booleans are kept; anything else is dropped. */
export function fieldsOf(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') out[key] = value.slice(0, 5000);
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

/** A string field of card data, else undefined. */
export const stringOf = (data: Record<string, unknown>, key: string): string | undefined => (typeof data[key] === 'string' ? data[key] : undefined);
