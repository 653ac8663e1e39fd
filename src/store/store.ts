// The durable store: a lowdb snapshot plus an append-only journal.
//
// lowdb rewrites its whole file on every write, which for a large ledger is far too slow to do per
// credit. So each transaction is appended to a journal as one line and fsynced (concurrent
// transactions share one fsync), and only then acknowledged. When the journal has grown to the size
// of the snapshot, the snapshot is rewritten through lowdb (atomically, see durable-file.ts) and the
// journal starts over in a new generation. Loading reads the snapshot and replays the journals.
//
// A crash can leave a last journal line half-written: it was never acknowledged and is ignored.
// Anything else that does not parse or validate stops the load, and the files are left as they are.
import { open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { createReadStream, mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile, fsyncDir, StoreFileError } from './durable-file.js';
import { acquireLock, type Lock } from './lock.js';
import { checkJournalRecord, checkSnapshot, emptySnapshot, migrate, SCHEMA_VERSION, type Snapshot } from './schema.js';
import { DuplicateLedgerIdError, State, type Put } from './state.js';

export { StoreFileError } from './durable-file.js';
export { StoreLockedError } from './lock.js';

/** By default the journal is compacted into the snapshot once it is larger than this and than the snapshot. */
const MIN_COMPACT_BYTES = 8 << 20;

interface Loaded {
  state: State;
  seq: number;
  generations: number[];
  snapshotExists: boolean;
  snapshotBytes: number;
  journalBytes: number;
  migrated: boolean;
}

const journalPattern = (file: string) => new RegExp(`^${basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.journal\\.(\\d+)$`);
const journalPath = (file: string, generation: number) => `${file}.journal.${generation}`;

async function journalGenerations(file: string): Promise<number[]> {
  const pattern = journalPattern(file);
  let names: string[];
  try {
    names = await readdir(dirname(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((name) => pattern.exec(name)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

function validateSnapshot(file: string, raw: unknown): { snapshot: Snapshot; migrated: boolean } {
  const migration = migrate(raw);
  if (!migration.ok) throw new StoreFileError(file, migration.message);
  const checked = checkSnapshot(migration.data);
  if (!checked.ok) throw new StoreFileError(file, `does not hold a valid store: ${checked.message}`);
  return { snapshot: checked.value, migrated: migration.from !== checked.value.schemaVersion };
}

function applyPuts(file: string, where: string, state: State, puts: readonly Put[]): void {
  try {
    for (const put of puts) state.put(put);
  } catch (error) {
    if (error instanceof DuplicateLedgerIdError) throw new StoreFileError(file, `${where}: ${error.message}`);
    throw error;
  }
}

/** The complete (newline-ended) lines of a file, read in pieces; a torn last line is not one. */
async function* completeLines(file: string): AsyncGenerator<string> {
  let rest = '';
  for await (const piece of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (piece as string);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      yield text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
}

/**
 * Replays one journal file onto the state; returns the last sequence number and the bytes read.
 * A transaction may span several lines (all but its last marked "more"); it is applied only whole.
 * A crash can leave the file ending in a torn line or an unfinished transaction: neither was
 * acknowledged, and both are left out.
 */
async function replay(file: string, state: State, afterSeq: number): Promise<{ seq: number; bytes: number }> {
  let seq = afterSeq;
  let lineNo = 0;
  let bytes = 0;
  let open: { seq: number; puts: Put[]; line: number } | null = null;
  for await (const line of completeLines(file)) {
    lineNo += 1;
    bytes += Buffer.byteLength(line) + 1;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new StoreFileError(file, `line ${lineNo} is not valid JSON (${(error as Error).message})`);
    }
    const checked = checkJournalRecord(raw);
    if (!checked.ok) throw new StoreFileError(file, `line ${lineNo} is not a valid journal record: ${checked.message}`);
    const record = checked.value;
    if (open && open.seq !== record.seq) throw new StoreFileError(file, `line ${open.line}: transaction ${open.seq} is cut off by line ${lineNo}`);
    open ??= { seq: record.seq, puts: [], line: lineNo };
    for (const put of record.puts) open.puts.push(put);
    if (record.more) continue;
    const whole: { seq: number; puts: Put[]; line: number } = open;
    open = null;
    if (whole.seq <= seq) continue; // already in the snapshot (written around a compaction)
    if (whole.seq !== seq + 1) throw new StoreFileError(file, `line ${whole.line}: transactions ${seq + 1} to ${whole.seq - 1} are missing`);
    applyPuts(file, `line ${whole.line}`, state, whole.puts);
    seq = whole.seq;
  }
  return { seq, bytes };
}

async function inode(file: string): Promise<number | null> {
  try {
    return (await stat(file)).ino;
  } catch {
    return null;
  }
}

const NO_FILE = Object.freeze({});

async function loadOnce(file: string): Promise<Loaded> {
  const before = await inode(file);
  const low = new Low<object>(new DurableJsonFile<object>(file), NO_FILE);
  await low.read();
  const snapshotExists = low.data !== NO_FILE;
  const { snapshot, migrated } = snapshotExists ? validateSnapshot(file, low.data) : { snapshot: emptySnapshot(), migrated: false };
  let state: State;
  try {
    state = State.from(snapshot);
  } catch (error) {
    if (error instanceof DuplicateLedgerIdError) throw new StoreFileError(file, error.message);
    throw error;
  }
  const generations = (await journalGenerations(file)).filter((g) => g >= snapshot.journal);
  let seq = snapshot.seq;
  let journalBytes = 0;
  for (const generation of generations) {
    const replayed = await replay(journalPath(file, generation), state, seq);
    seq = replayed.seq;
    journalBytes += replayed.bytes;
  }
  // A writer compacting meanwhile replaces the snapshot and removes old journals: read again.
  if ((await inode(file)) !== before) throw new ConcurrentCompaction();
  const snapshotBytes = snapshotExists ? (await stat(file)).size : 0;
  return { state, seq, generations, snapshotExists, snapshotBytes, journalBytes, migrated };
}

class ConcurrentCompaction extends Error {}

async function load(file: string): Promise<Loaded> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await loadOnce(file);
    } catch (error) {
      const retry = error instanceof ConcurrentCompaction || (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!retry || attempt >= 5) throw error;
    }
  }
}

/** Reads a store without taking the lock, for queries while another process writes. */
export async function readStore(file: string): Promise<State> {
  return (await load(resolve(file))).state;
}

export class StoreFailedError extends Error {}

/** Thrown inside a transaction to cancel it; the store is left as it was. */
export class Rollback<T> extends Error {
  constructor(readonly detail: T) {
    super('transaction rolled back');
  }
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface OpenOptions {
  /** Who holds the lock, shown to a second process that tries to open the store. */
  command: string;
  now?: Date;
  /** Compact once the journal passes this size and the snapshot's (default 8 MiB). */
  compactAfterBytes?: number;
}

export class Store {
  private seq: number;
  private durableSeq: number;
  private pending: { seq: number; puts: readonly Put[] }[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | null = null;
  private compacting: Promise<void> | null = null;
  private compactRequested = false;
  private failure: Error | null = null;
  private closed = false;
  private journalBytes = 0;

  private constructor(
    readonly file: string,
    readonly state: State,
    seq: number,
    private generation: number,
    private journal: FileHandle,
    private snapshotBytes: number,
    private readonly lock: Lock,
    private readonly compactAfterBytes: number,
  ) {
    this.seq = seq;
    this.durableSeq = seq;
  }

  /** Opens a store for writing: takes the lock, loads, and starts a fresh journal generation. */
  static async open(path: string, options: OpenOptions): Promise<Store> {
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true });
    const lock = acquireLock(file, options.command, options.now ?? new Date());
    try {
      const loaded = await load(file);
      // Never append after a torn line: every writer starts a new generation.
      const generation = (loaded.generations.at(-1) ?? 0) + 1;
      const journal = await open(journalPath(file, generation), 'a');
      await fsyncDir(dirname(file));
      const store = new Store(file, loaded.state, loaded.seq, generation, journal, loaded.snapshotBytes, lock, options.compactAfterBytes ?? MIN_COMPACT_BYTES);
      if (!loaded.snapshotExists || loaded.migrated || loaded.journalBytes > 0 || loaded.generations.length > 0) {
        await store.writeSnapshot(store.capture());
      }
      return store;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Runs `fn` against the current data and makes its puts durable. `fn` runs synchronously and alone,
   * so a read-modify-write never loses an update; if it throws, its puts are undone. The promise
   * settles once the puts (and everything before them) are on disk.
   */
  async transact<T>(fn: (tx: Transaction) => T): Promise<T> {
    this.usable();
    const tx = new Transaction(this.state);
    let result: T;
    try {
      result = fn(tx);
    } catch (error) {
      tx.undo();
      throw error;
    }
    if (tx.puts.length > 0) {
      this.seq += 1;
      this.pending.push({ seq: this.seq, puts: tx.puts });
    }
    // Even a transaction that changed nothing waits for what it read to be durable.
    await this.durable(this.seq);
    return result;
  }

  /** Waits for everything acknowledged so far, and any snapshot being written, then releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.failure === null) await this.durable(this.seq);
      await this.compacting;
      await this.journal.close();
    } finally {
      this.lock.release();
    }
  }

  private usable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new StoreFailedError(`${this.file} is closed`);
  }

  private durable(seq: number): Promise<void> {
    if (seq <= this.durableSeq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject });
      this.flushing ??= this.flush().finally(() => {
        this.flushing = null;
      });
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0 && this.failure === null) {
      if (this.compactRequested && this.compacting === null) await this.rotate();
      const batch = this.pending.splice(0);
      let written: number;
      try {
        written = await writeRecords(this.journal, batch);
        await this.journal.datasync();
      } catch (error) {
        // The data in memory is ahead of the disk now: refuse everything until the process restarts.
        this.failure = new StoreFailedError(`${this.file}: could not write the journal (${(error as Error).message}); restart the process`);
        for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
        return;
      }
      this.durableSeq = batch.at(-1)!.seq;
      this.journalBytes += written;
      this.waiters = this.waiters.filter((waiter) => (waiter.seq <= this.durableSeq ? (waiter.resolve(), false) : true));
      if (this.journalBytes > Math.max(this.compactAfterBytes, this.snapshotBytes)) this.compactRequested = true;
    }
  }

  private capture(): Snapshot {
    return { schemaVersion: SCHEMA_VERSION, seq: this.seq, journal: this.generation, ...this.state.collections() };
  }

  /**
   * Switches to a new journal generation and writes the snapshot in the background. Everything up to
   * the captured sequence is in the snapshot; later records go to the new generation.
   */
  private async rotate(): Promise<void> {
    this.compactRequested = false;
    const generation = this.generation + 1;
    const journal = await open(journalPath(this.file, generation), 'a');
    await fsyncDir(dirname(this.file));
    const previous = this.journal;
    this.journal = journal;
    this.generation = generation;
    this.journalBytes = 0;
    await previous.close();
    const snapshot = this.capture();
    this.compacting = this.writeSnapshot(snapshot)
      .catch((error: Error) => {
        // The journal still holds everything; a later compaction tries again.
        console.error(`${this.file}: could not write the snapshot (${error.message}); the journal keeps the data`);
      })
      .finally(() => {
        this.compacting = null;
      });
  }

  private async writeSnapshot(snapshot: Snapshot): Promise<void> {
    const low = new Low<Snapshot>(new DurableJsonFile<Snapshot>(this.file), snapshot);
    await low.write();
    this.snapshotBytes = (await stat(this.file)).size;
    for (const generation of await journalGenerations(this.file)) {
      if (generation < snapshot.journal) await rm(journalPath(this.file, generation), { force: true });
    }
    await fsyncDir(dirname(this.file));
  }
}

const LINE_BYTES = 1 << 20;

/**
 * A transaction's journal lines, each under about 1 MiB: a large transaction (a whole import) is
 * never held as one giant string or buffer. Records are never mutated after they are put, so
 * encoding them at flush time writes exactly what the transaction put.
 */
function* encodeLines(seq: number, puts: readonly Put[]): Generator<Buffer> {
  let parts: string[] = [];
  let size = 0;
  for (const [i, put] of puts.entries()) {
    const text = JSON.stringify(put);
    parts.push(text);
    size += text.length;
    if (size >= LINE_BYTES && i < puts.length - 1) {
      yield Buffer.from(`{"seq":${seq},"more":true,"puts":[${parts.join(',')}]}\n`);
      parts = [];
      size = 0;
    }
  }
  yield Buffer.from(`{"seq":${seq},"puts":[${parts.join(',')}]}\n`);
}

/** Appends the records in order, gathering small lines into one write; returns the bytes written. */
async function writeRecords(handle: FileHandle, records: readonly { seq: number; puts: readonly Put[] }[]): Promise<number> {
  let group: Buffer[] = [];
  let groupBytes = 0;
  let total = 0;
  const writeGroup = async () => {
    const { bytesWritten } = await handle.writev(group);
    // A short write is rare on a regular file, but then the rest must still follow in order.
    if (bytesWritten < groupBytes) await handle.writeFile(Buffer.concat(group).subarray(bytesWritten));
    total += groupBytes;
    group = [];
    groupBytes = 0;
  };
  for (const record of records) {
    for (const line of encodeLines(record.seq, record.puts)) {
      group.push(line);
      groupBytes += line.length;
      if (groupBytes >= LINE_BYTES || group.length >= 256) await writeGroup();
    }
  }
  if (group.length > 0) await writeGroup();
  return total;
}

/** What a transaction sees and writes: the live data, with every put recorded and undoable. */
export class Transaction {
  readonly puts: Put[] = [];
  /** The records that puts replaced, by position in puts: all that is needed to undo. */
  private readonly replaced = new Map<number, Put[1]>();

  constructor(readonly view: State) {}

  put(put: Put): void {
    const replaced = this.view.put(put);
    if (replaced) this.replaced.set(this.puts.length, replaced);
    this.puts.push(put);
  }

  undo(): void {
    for (let i = this.puts.length - 1; i >= 0; i -= 1) this.view.undo(this.puts[i]!, this.replaced.get(i));
    this.puts.length = 0;
    this.replaced.clear();
  }
}
