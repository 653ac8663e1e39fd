// Writes an export to a stream: the one entry point of the CLI's `export` and the admin view's
// downloads. The rows and their encoding are pure (core/exports.ts, core/export-formats.ts); this is
// the shell that writes them to a Node Writable, honouring its backpressure. It lives here, not in
// core, because it does I/O on a stream; it reads only the loaded State, so it runs beside a live bot.
import type { Writable } from 'node:stream';
import type { Catalog } from '../core/catalog.js';
import { CSV_BOM, csvHeader, csvLine, jsonLine } from '../core/export-formats.js';
import { checkExportRequest, exportTable, type ExportRefusal, type ExportRequest, type ExportView, type Row } from '../core/exports.js';
import type { Problem, Result } from '../core/result.js';
import { withTimes, type Timeline } from '../core/timeline.js';

export interface ExportOptions {
  /** Fills in a missing --at or --to. */
  now: number;
  /** Called after each row with the rows written so far and the export's total, for progress. */
  onRow?: (done: number, total: number) => void;
}

export interface ExportSummary {
  rows: number;
}

/** Rows are gathered into chunks of about this many characters: one write per chunk, not per row. */
const CHUNK = 64 * 1024;

export class ExportAbortedError extends Error {}

const closed = () => new ExportAbortedError('the export stopped: its destination was closed');

/** Waits until the stream wants more, or fails when it errors or closes first (a download cancelled). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(closed());
    stream.on('drain', onDrain);
    stream.on('close', onClose);
  });
}

/**
 * Writes one chunk and waits while the stream asks to. A stream's error (a broken pipe, a full disk)
 * is kept by `failure` and reported at the next write, so it never goes unhandled.
 */
async function write(stream: Writable, text: string, failure: { error?: Error }): Promise<void> {
  const failed = () => {
    // errored is set as the stream is destroyed; the 'error' event comes a tick later.
    const error = failure.error ?? stream.errored;
    if (error) throw new ExportAbortedError(`the export stopped: ${error.message}`);
  };
  failed();
  if (stream.destroyed || stream.writableEnded) throw closed();
  if (!stream.write(text)) await drained(stream);
  failed();
}

/**
 * The view with every member's timeline as it is now. A download writes while the bot goes on
 * crediting, and an entry credited with a past instant is inserted into its member's timeline in
 * place: walked live, a row could repeat and another go missing. Copying the timelines costs two
 * arrays of references a member (milliseconds at 200,000 entries), not a second copy of the store.
 */
function settled(view: ExportView): ExportView {
  const timelines = new Map<string, Timeline>();
  for (const id of view.members.keys()) {
    const line = view.entriesOf(id);
    timelines.set(id, withTimes(line.slice(), line.times.slice()));
  }
  return {
    members: view.members,
    preferences: view.preferences,
    claims: view.claims,
    partners: view.partners,
    // A member enrolled since has no entries in the range yet.
    entriesOf: (id) => timelines.get(id) ?? view.entriesOf(id),
    member: (id) => view.member(id),
    entry: (id) => view.entry(id),
    reversalOf: (id) => view.reversalOf(id),
    partnerInput: (id) => view.partnerInput(id),
  };
}

/**
 * Checks the request, then writes the whole export to `stream` (a file, stdout, an HTTP response) and
 * resolves with the number of rows. A refused request writes nothing. The stream is not ended: the
 * caller ends it (stdout must stay open; a file is synced and renamed). A stream that errors or closes
 * midway rejects with ExportAbortedError.
 */
export async function writeExport(
  view: ExportView,
  catalog: Catalog,
  request: ExportRequest,
  stream: Writable,
  options: ExportOptions,
): Promise<Result<ExportSummary, Problem<ExportRefusal>>> {
  const checked = checkExportRequest(catalog, request, options.now);
  if (!checked.ok) return checked;
  const query = checked.value;
  const table = exportTable(settled(view), catalog, query);
  const { columns, total } = table;
  const line = query.format === 'csv' ? (row: Row) => csvLine(columns, row) : jsonLine;
  let chunk = query.format === 'csv' ? CSV_BOM + csvHeader(columns) : '';
  let rows = 0;
  const failure: { error?: Error } = {};
  const onError = (error: Error) => void (failure.error ??= error);
  stream.on('error', onError);
  try {
    for (const row of table.rows) {
      chunk += line(row);
      rows += 1;
      if (chunk.length >= CHUNK) {
        await write(stream, chunk, failure);
        chunk = '';
      }
      options.onRow?.(rows, total);
    }
    if (chunk.length > 0) await write(stream, chunk, failure);
  } finally {
    // A destroyed stream emits its error on a later tick, after `closed` is already set: the listener
    // stays on it, so that error is never unhandled. A healthy stream is the caller's again.
    if (!stream.destroyed) stream.off('error', onError);
  }
  return { ok: true, value: { rows } };
}
