// `store copy --from WHERE --to WHERE [--at WHEN]`: moves a whole store between a JSON store file and
// PostgreSQL (either way; file to file and database to database work too). The source is read once,
// read-only (readStoreAt), so the copy is the store as of that read; the target is written all or
// nothing by its adapter (writeNewStore, writeNewPgStore), then read back from where it was written and
// compared with the source: every collection's records, and every member's status at one instant.
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Catalog } from '../core/catalog.js';
import { memberStatus } from '../core/lifecycle.js';
import { toUtcIso } from '../core/time.js';
import { StoreNotEmptyError, StoreRecordError } from '../store/contract.js';
import { isDatabaseUrl, readStoreAt } from '../store/open-store.js';
import { redactUrl, StoreDatabaseError, writeNewPgStore } from '../store/pg-store.js';
import { collectionNames, type CollectionName } from '../store/schema.js';
import type { State } from '../store/state.js';
import { StoreFileError, StoreLockedError, writeNewStore } from '../store/store.js';
import type { Io } from './main.js';
import { noProgress, progress, type Progress } from './progress.js';

export const STORE_COPY_USAGE = 'store copy --from FILE|URL --to FILE|URL [--at WHEN]';

const OWN_FLAGS = new Set(['help', 'from', 'to', 'at']);
/** Members named when statuses differ; the count says how many more. */
const NAMED = 5;

export interface StoreCopyContext {
  catalog: Catalog;
  io: Io;
  now: Date;
  /** The instant statuses are compared at (--at, default now). */
  at: number;
  /** Where a relative path is taken from: the folder the command was run in. */
  invocationDir: string;
}

/** A store named on the command line: a file path, or a PostgreSQL URL. */
interface Place {
  where: string;
  database: boolean;
  /** For messages: the path, or the URL without its password. */
  shown: string;
  /** Equal for two names of one store. */
  key: string;
}

/** What is compared on both sides: per collection a count and a hash of its records in order, per member a status. */
interface Summary {
  counts: Record<CollectionName, number>;
  hashes: Record<CollectionName, string>;
  statuses: Map<string, string>;
}

/** Capitalised, with one full stop: messages from the stores often end in their own. */
const sentence = (message: string) => `${message.charAt(0).toUpperCase()}${message.slice(1).replace(/\.?$/, '.')}`;

function refused(io: Io, message: string): number {
  io.err(sentence(message));
  return 1;
}

/** A file's name with symbolic links resolved as far as it exists, so two names of one file compare equal. */
function realPath(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const folder = dirname(path);
  return folder === path ? path : join(realPath(folder), basename(path));
}

/** The place `text` names, or why it names none. A URL is never repeated: it may hold a password. */
function placeOf(text: string, flag: 'from' | 'to', invocationDir: string): Place | string {
  if (!isDatabaseUrl(text)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return `--${flag} must be a store file or a postgres:// URL`;
    const where = resolve(invocationDir, text);
    return { where, database: false, shown: where, key: realPath(where) };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `--${flag} is not a valid URL: write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE`;
  }
  if (url.hostname === '' && !url.searchParams.has('host')) return `--${flag} names no host: write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE`;
  // One database is one place whoever logs in; the options (a search_path) may make it another store.
  const key = new URL(text);
  key.protocol = 'postgres:';
  key.username = '';
  key.password = '';
  key.port ||= '5432';
  key.searchParams.delete('password');
  key.searchParams.sort();
  return { where: text, database: true, shown: redactUrl(text), key: key.href };
}

const holdsRecords = (state: State) => Object.values(state.counts()).some((n) => n > 0);

function summarise(state: State, catalog: Catalog, at: number, bar: Progress): Summary {
  // The computation `cli status` prints, for every member.
  const statuses = new Map<string, string>();
  for (const member of state.members.values()) {
    statuses.set(member.id, JSON.stringify(memberStatus(catalog, member, state.entriesOf(member.id), at)));
    bar.update(statuses.size);
  }
  bar.end();
  const hashes = {} as Record<CollectionName, string>;
  for (const name of collectionNames) {
    const hash = createHash('sha256');
    for (const record of state[name].values()) hash.update(`${JSON.stringify(record)}\n`);
    hashes[name] = hash.digest('hex');
  }
  return { counts: state.counts(), hashes, statuses };
}

/**
 * Reads the source, summarises it and writes the target. The source's State lives only here: once the
 * copy is written it can be collected before the target is read back, so the two are never in memory
 * together (a large store fits the CLI's heap once, not twice).
 */
async function copy(from: Place, to: Place, context: StoreCopyContext, bar: (label: string, total: number, unit: string) => Progress): Promise<Summary | string> {
  // A load has no progress of its own: a line says what the wait is (a large store takes seconds).
  context.io.progress?.write(`store copy: reading ${from.shown}\n`);
  const state = await readStoreAt(from.where);
  if (!holdsRecords(state)) return `${from.shown} holds no records: there is nothing to copy`;
  const summary = summarise(state, context.catalog, context.at, bar('store copy: source statuses', state.members.size, 'members'));
  const total = Object.values(summary.counts).reduce((sum, n) => sum + n, 0);
  const writing = bar('store copy: writing', total, 'records');
  const options = { command: 'cli store copy', onWritten: (n: number) => writing.update(n) };
  try {
    if (to.database) await writeNewPgStore(to.where, state.collections(), options);
    else await writeNewStore(to.where, state.collections(), options);
  } finally {
    writing.end();
  }
  return summary;
}

/** The differences between the source and the copy, as sentences; none when they match. */
function differences(source: Summary, target: Summary, at: number): string[] {
  const found: string[] = [];
  for (const name of collectionNames) {
    if (source.counts[name] !== target.counts[name]) found.push(`${name}: ${source.counts[name]} record(s) in the source, ${target.counts[name]} in the copy`);
    else if (source.hashes[name] !== target.hashes[name]) found.push(`${name}: the records differ`);
  }
  const members = [...new Set([...source.statuses.keys(), ...target.statuses.keys()])].filter((id) => source.statuses.get(id) !== target.statuses.get(id));
  if (members.length > 0) {
    const more = members.length > NAMED ? ` and ${members.length - NAMED} more` : '';
    found.push(`the status at ${toUtcIso(at)} differs for ${members.slice(0, NAMED).map((id) => JSON.stringify(id)).join(', ')}${more}`);
  }
  return found;
}

export async function storeCommand(args: string[], flags: Record<string, string | boolean | undefined>, context: StoreCopyContext): Promise<number> {
  const { io } = context;
  if (args.length !== 1 || args[0] !== 'copy') return refused(io, `expected: ${STORE_COPY_USAGE}`);
  const foreign = Object.keys(flags).filter((name) => flags[name] !== undefined && !OWN_FLAGS.has(name));
  if (foreign.length > 0) return refused(io, `--${foreign[0]} does not apply to store copy (${STORE_COPY_USAGE})`);
  if (typeof flags.from !== 'string' || typeof flags.to !== 'string') return refused(io, `name both stores: ${STORE_COPY_USAGE}`);
  const from = placeOf(flags.from, 'from', context.invocationDir);
  if (typeof from === 'string') return refused(io, from);
  const to = placeOf(flags.to, 'to', context.invocationDir);
  if (typeof to === 'string') return refused(io, to);
  if (from.key === to.key) return refused(io, `--from and --to name the same store (${to.shown}): copy it to another place`);
  if (!from.database && !existsSync(from.where)) return refused(io, `there is no store at ${from.where} (--from)`);
  if (!to.database && !existsSync(dirname(to.where))) return refused(io, `--to ${to.where}: the folder ${dirname(to.where)} does not exist`);
  // Refused before the source is read (a long read, for a large store); the writer checks again as it writes.
  if (holdsRecords(await readStoreAt(to.where))) return refused(io, notEmpty(to));

  const started = performance.now();
  const bar = (label: string, total: number, unit: string) => (io.progress ? progress(io.progress, label, total, unit, () => performance.now()) : noProgress);
  let source: Summary | string;
  try {
    source = await copy(from, to, context, bar);
  } catch (error) {
    if (error instanceof StoreNotEmptyError) return refused(io, notEmpty(to));
    if (error instanceof StoreRecordError || error instanceof StoreDatabaseError || error instanceof StoreFileError || error instanceof StoreLockedError) {
      return refused(io, `nothing was copied to ${to.shown}: ${error.message}`);
    }
    io.err(`Nothing was copied to ${to.shown}: ${(error as Error).message}.`);
    return 2;
  }
  if (typeof source === 'string') return refused(io, source);
  io.err(`The copy holds ${from.shown} as read at ${toUtcIso(context.now.getTime())}: writes made to it after that are not in the copy. Stop the bot (every instance) before moving its store.`);

  io.progress?.write(`store copy: reading the copy back from ${to.shown}\n`);
  const copied = summarise(await readStoreAt(to.where), context.catalog, context.at, bar('store copy: comparing', source.statuses.size, 'members'));
  const found = differences(source, copied, context.at);
  if (found.length > 0) {
    io.err(`The copy at ${to.shown} differs from ${from.shown}: ${found.join('; ')}. Do not start the bot on the copy.`);
    return 1;
  }
  io.out(
    JSON.stringify({
      from: from.shown,
      to: to.shown,
      records: copied.counts,
      membersCompared: copied.statuses.size,
      at: toUtcIso(context.at),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    }),
  );
  return 0;
}

const notEmpty = (to: Place) =>
  `nothing was copied: ${to.shown} holds records already, and a copy goes only into an empty store (a new file, or a database without the store's records)`;
