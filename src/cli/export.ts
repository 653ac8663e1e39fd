// `export KIND`: an export (services/exports.ts) to stdout or to a file, from a read-only load of the
// store, so it runs beside a live bot. Every option is checked before the store is read or a file made.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, rmSync, statSync } from 'node:fs';
import { link, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Catalog } from '../core/catalog.js';
import { checkExportRequest, EXPORT_FORMATS, EXPORT_KINDS } from '../core/exports.js';
import { ExportAbortedError, writeExport } from '../services/exports.js';
import type { State } from '../store/state.js';
import type { Io } from './main.js';
import { progress } from './progress.js';

export const EXPORT_USAGE = `export ${EXPORT_KINDS.join('|')} [--at WHEN] [--from WHEN] [--to WHEN] [--period month|year] [--format ${EXPORT_FORMATS.join('|')}] [--out FILE [--force]]`;

export interface ExportFlags {
  at?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  period?: string | undefined;
  format?: string | undefined;
  out?: string | undefined;
  force?: boolean | undefined;
  [other: string]: string | boolean | undefined;
}

export interface ExportContext {
  catalog: Catalog;
  io: Io;
  now: Date;
  /** Where a relative --out is taken from: the folder the command was run in. */
  invocationDir: string;
  dbFile: string;
  /** Loads the store read-only; throws a sentence when there is none. */
  load: () => Promise<State>;
}

const PROGRESS_FROM_ROWS = 1000;

const OWN_FLAGS = new Set(['db', 'help', 'at', 'from', 'to', 'period', 'format', 'out', 'force']);

/** A refusal: the sentence on stderr, exit code 1, nothing written. */
function refused(io: Io, message: string): number {
  io.err(`${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
  return 1;
}

/** Why --out cannot be written, or null when it can. */
function outProblem(out: string, force: boolean, dbFile: string): string | null {
  // The store's own files (its snapshot, journals, lock) are never an export's target, --force or not.
  if (out === dbFile || out.startsWith(`${dbFile}.`)) return `--out ${out} is the store itself: choose another file`;
  if (!existsSync(dirname(out))) return `--out ${out}: the folder ${dirname(out)} does not exist`;
  if (existsSync(out)) {
    if (statSync(out).isDirectory()) return `--out ${out} is a folder: name a file`;
    if (!force) return `--out ${out} exists already: choose another name, or add --force to replace it`;
  }
  return null;
}

/**
 * Writes to a temp file beside `out` and only then puts it in place, so a failed or interrupted export
 * leaves no half file under the name asked for. Without --force the final step is link(), which fails
 * rather than replace a file made meanwhile; with --force, rename() replaces it in one step.
 */
const madeMeanwhile = (out: string) => `--out ${out} was created by someone else meanwhile: choose another name, or add --force to replace it`;

export async function toFile<T>(out: string, force: boolean, fill: (stream: Writable) => Promise<T>): Promise<T> {
  const temp = join(dirname(out), `.${basename(out)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // flush: the data is on disk before the rename makes it visible.
  const stream = createWriteStream(temp, { flags: 'wx', flush: true });
  // A failure to open or write is reported by finished() or the wait for 'drain', not as an uncaught error.
  stream.on('error', () => undefined);
  // Ctrl-C or a kill ends the process without the cleanup below: the temp file goes first.
  const interrupted = (signal: NodeJS.Signals) => {
    rmSync(temp, { force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // Opened before any row is made: a folder that cannot be written to fails here, and the catch below
    // then has a file to remove.
    await once(stream, 'ready');
    const value = await fill(stream);
    stream.end();
    await finished(stream);
    if (force) await rename(temp, out);
    else {
      try {
        await link(temp, out);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new OutExistsError(madeMeanwhile(out));
        // A file system without hard links: check, then rename.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
        if (existsSync(out)) throw new OutExistsError(madeMeanwhile(out));
        await rename(temp, out);
      }
      await unlink(temp).catch(() => undefined);
    }
    return value;
  } catch (error) {
    // The file is closed before it is removed: a write still pending would otherwise make it again.
    const closed = stream.closed ? Promise.resolve() : new Promise<void>((done) => stream.once('close', () => done()));
    stream.destroy();
    await closed;
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}

export class OutExistsError extends Error {}

/** Stdout for callers that give none (an in-process run): the export is gathered and given to out() whole. */
function gathered(io: Io): { stream: Writable; flush: () => void } {
  const parts: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      parts.push(chunk);
      callback();
    },
  });
  // out() ends what it is given with a line end of its own.
  return { stream, flush: () => io.out(parts.join('').replace(/\n$/, '')) };
}

export async function exportCommand(args: string[], flags: ExportFlags, context: ExportContext): Promise<number> {
  const { catalog, io, now } = context;
  if (args.length !== 1) return refused(io, `expected: ${EXPORT_USAGE}`);
  const foreign = Object.keys(flags).filter((name) => flags[name] !== undefined && !OWN_FLAGS.has(name));
  if (foreign.length > 0) return refused(io, `--${foreign[0]} does not apply to export (${EXPORT_USAGE})`);
  if (flags.force && flags.out === undefined) return refused(io, '--force only goes with --out FILE');
  const request = { kind: args[0]!, format: flags.format, at: flags.at, from: flags.from, to: flags.to, period: flags.period };
  const checked = checkExportRequest(catalog, request, now.getTime());
  if (!checked.ok) return refused(io, checked.problem.message);
  const out = flags.out === undefined ? undefined : resolve(context.invocationDir, flags.out);
  if (out !== undefined) {
    const problem = outProblem(out, flags.force === true, resolve(context.dbFile));
    if (problem) return refused(io, problem);
  }

  const state = await context.load();
  const sink = io.progress ?? { isTTY: false, write: (text: string) => io.err(text.replace(/\n$/, '')) };
  let bar: ReturnType<typeof progress> | undefined;
  const onRow = (done: number, total: number) => {
    // A small export is done before progress could tell anyone anything: its summary line is enough.
    if (total < PROGRESS_FROM_ROWS) return;
    bar ??= progress(sink, `export ${request.kind}`, total, 'rows', Date.now);
    bar.update(done);
  };
  const fill = async (stream: Writable) => {
    const written = await writeExport(state, catalog, request, stream, { now: now.getTime(), onRow });
    // Checked above with the same request and instant: a refusal here is a bug.
    if (!written.ok) throw new Error(written.problem.message);
    return written.value.rows;
  };
  try {
    let rows: number;
    if (out !== undefined) rows = await toFile(out, flags.force === true, fill);
    else if (io.stdout) rows = await fill(io.stdout);
    else {
      const stdout = gathered(io);
      rows = await fill(stdout.stream);
      stdout.flush();
    }
    bar?.end();
    io.err(`Exported ${rows.toLocaleString('en-US')} row(s) (${request.kind}, ${checked.value.format})${out === undefined ? '' : ` to ${out}`}.`);
    return 0;
  } catch (error) {
    bar?.end();
    if (error instanceof OutExistsError) return refused(io, error.message);
    if (error instanceof ExportAbortedError) return refused(io, `${error.message}${out === undefined ? '' : `; nothing was written to ${out}`}`);
    throw error;
  }
}
