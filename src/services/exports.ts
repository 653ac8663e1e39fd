// Writes an export to a stream: the one entry point of the CLI's `export` and the admin view's
// downloads. The rows and their encoding are pure (core/exports.ts, core/export-formats.ts); this is
// the shell that writes them to a Node Writable, honouring its backpressure. It lives here, not in
// core, because it does I/O on a stream; it reads only the loaded State, so it runs beside a live bot.
import type { Writable } from 'node:stream';
import type { Catalog } from '../core/catalog.js';
import { CSV_BOM, csvHeader, csvLine, jsonLine } from '../core/export-formats.js';
import { checkExportRequest, exportTable, type ExportRefusal, type ExportRequest, type ExportView, type Row } from '../core/exports.js';
import type { Problem, Result } from '../core/result.js';

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

/** Waits until the stream wants more, or fails when it errors or closes first (a download cancelled). */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (error: Error) => done(new ExportAbortedError(`the export stopped: ${error.message}`));
    const onClose = () => done(new ExportAbortedError('the export stopped: its destination was closed'));
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

async function write(stream: Writable, text: string): Promise<void> {
  if (stream.destroyed || stream.writableEnded) throw new ExportAbortedError('the export stopped: its destination was closed');
  if (!stream.write(text)) await drained(stream);
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
  const table = exportTable(view, catalog, query);
  const { columns, total } = table;
  const line = query.format === 'csv' ? (row: Row) => csvLine(columns, row) : jsonLine;
  let chunk = query.format === 'csv' ? CSV_BOM + csvHeader(columns) : '';
  let rows = 0;
  for (const row of table.rows) {
    chunk += line(row);
    rows += 1;
    if (chunk.length >= CHUNK) {
      await write(stream, chunk);
      chunk = '';
    }
    options.onRow?.(rows, total);
  }
  if (chunk.length > 0) await write(stream, chunk);
  return { ok: true, value: { rows } };
}
