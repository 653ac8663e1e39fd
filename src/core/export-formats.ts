// How an export's rows are written: CSV (RFC 4180, for Excel) and JSON Lines (for programs). Pure:
// each function turns a row into its text; writing the text out is the caller's.
import type { Cell, Row } from './exports.js';

// ---------------------------------------------------------------------------------------------
// CSV: a header row, CRLF line ends, a field quoted when it holds , " CR or LF, quotes doubled.

/**
 * UTF-8 with a byte order mark: without it Excel reads a CSV in the machine's legacy code page and
 * garbles every accented name. Parsers that follow RFC 4180 skip it (csv-parse's `bom` option, Python's
 * utf-8-sig), and it is the one way to tell Excel the encoding from inside the file.
 */
export const CSV_BOM = '\uFEFF';

const NEEDS_QUOTES = /[",\r\n]/;
/**
 * What a spreadsheet may run as a formula (OWASP, CSV injection): a cell starting with = + - @, a tab or
 * a carriage return. Such text is prefixed with ' so it is shown as text; the rest of it is kept.
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * One CSV field. Text (what people typed: names, reasons, links, and the ids around them) is neutralised
 * when it could start a formula; numbers are ours and stay numbers, so -5 points is still -5. A list is
 * one field, its items separated by a space (none of them hold one: ids, dates, emails). null is empty.
 */
export function csvCell(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return String(cell);
  let text = typeof cell === 'string' ? cell : cell.join(' ');
  if (FORMULA_START.has(text.charAt(0))) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(columns: readonly string[]): string {
  return `${columns.map(csvCell).join(',')}\r\n`;
}

export function csvLine(columns: readonly string[], row: Row): string {
  let line = '';
  for (let i = 0; i < columns.length; i += 1) line += (i === 0 ? '' : ',') + csvCell(row[columns[i]!]);
  return `${line}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// JSON Lines: one object per line with the columns as keys, typed (numbers, null, lists), text exactly
// as stored: a JSON reader runs no formulas, so nothing is prefixed. The rows are built with exactly
// their export's columns, in order, none left undefined (the export tests check each), so a row is
// written as it is: JSON.stringify's fast path for plain objects.

export function jsonLine(row: Row): string {
  return `${JSON.stringify(row)}\n`;
}
