// Whole numbers (0, 1, 2, …) as people write them in settings, arguments and headers: decimal digits
// and nothing else. Number() would also take "1e3", "0x10", "1.0", " 7 " or "" (0): each is a mistake
// worth a sentence, not a number.
const DIGITS = /^\d+$/;

/** The whole number `text` spells, or null; a value past 2^53 - 1 is null too (it would not be exact). */
export function parseWholeNumber(text: string): number | null {
  if (!DIGITS.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** A whole number with an optional minus sign (an administrator's correction, "-40"), or null. */
export function parseInteger(text: string): number | null {
  const negative = text.startsWith('-');
  const n = parseWholeNumber(negative ? text.slice(1) : text);
  return n === null ? null : negative ? -n : n;
}
