// The durable store: a lowdb snapshot plus an append-only journal.
//
// lowdb rewrites its whole file on every write, which for a large ledger is far too slow to do per
// credit. So each transaction is appended to a journal as one line and fsynced (concurrent
// transactions share one fsync), and only then acknowledged. When the journal has grown to the size
// of the snapshot, the snapshot is rewritten through lowdb (atomically, see durable-file.ts) and the
// journal starts over in a new generation. Loading reads the snapshot and replays the journals.
//
// A crash can leave a last journal line half-written: it was never acknowledged and is ignored.
// Anything else that does not parse, validate or match its checksum stops the load, and the files are
// left as they are. A write is checked against the same schema before it is accepted, so the store
// never writes what it would refuse to load.
import { copyFile, mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile, fsyncDir, StoreFileError } from './durable-file.js';
import { replay, writeRecords } from './journal.js';
import { acquireLock, LockLostError, type LeaseOptions, type Lock } from './lock.js';
import { plan, silentLog, StoreFailedError, StoreNotEmptyError, type PointsStore, type StoreLog, type Transaction } from './contract.js';
import { checkSnapshot, emptySnapshot, migrate, SCHEMA_VERSION, type Collections, type Snapshot } from './schema.js';
import { DuplicateLedgerIdError, State, type Put } from './state.js';

export { StoreFileError } from './durable-file.js';
export { StoreLockedError, type LeaseOptions } from './lock.js';
export { Rollback, StoreFailedError, StoreRecordError, Transaction, type PointsStore, type StoreLog } from './contract.js';

/** By default the journal is compacted into the snapshot once it is larger than this and than the snapshot. */
const MIN_COMPACT_BYTES = 8 << 20;

interface Loaded {
  state: State;
  seq: number;
  generations: number[];
  snapshotExists: boolean;
  snapshotBytes: number;
  journalBytes: number;
  /** The schema version of the snapshot file when it was older than this one's, else null. */
  migratedFrom: number | null;
  /** The first journal generation the snapshot needs replayed. */
  firstGeneration: number;
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

function validateSnapshot(file: string, raw: unknown): { snapshot: Snapshot; migratedFrom: number | null } {
  const migration = migrate(raw);
  if (!migration.ok) throw new StoreFileError(file, migration.message);
  const checked = checkSnapshot(migration.data);
  if (!checked.ok) throw new StoreFileError(file, `does not hold a valid store: ${checked.message}`);
  return { snapshot: checked.value, migratedFrom: migration.from !== checked.value.schemaVersion ? migration.from : null };
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
  const { snapshot, migratedFrom } = snapshotExists ? validateSnapshot(file, low.data) : { snapshot: emptySnapshot(), migratedFrom: null };
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
  return { state, seq, generations, snapshotExists, snapshotBytes, journalBytes, migratedFrom, firstGeneration: snapshot.journal };
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

/**
 * Writes a whole store into a file that holds no record yet (`cli store copy`), under the store's lock,
 * so no writer opens it meanwhile. The snapshot is written to a temp file renamed into place once it is
 * on disk (DurableJsonFile): a copy that fails part-way leaves the file as it was, absent or empty.
 */
export async function writeNewStore(path: string, records: Collections, options: { command: string; onWritten?: (records: number) => void }): Promise<void> {
  const file = resolve(path);
  const lock = acquireLock(file, options.command);
  try {
    const { state } = await load(file);
    if (Object.values(state.counts()).some((n) => n > 0)) throw new StoreNotEmptyError(`${file} holds a store with records`);
    // Journals an empty store left hold no record: the snapshot starts after them, so none is replayed.
    const journal = ((await journalGenerations(file)).at(-1) ?? 0) + 1;
    await lock.ensureHeld();
    await new DurableJsonFile<Snapshot>(file).write({ schemaVersion: SCHEMA_VERSION, seq: 0, journal, ...records }, options.onWritten);
  } finally {
    lock.release();
  }
}

/**
 * Copies the files of a store about to be migrated, as they are, into `<file>.schema<N>.bak/` and
 * makes the copies durable before the migrated snapshot replaces them. The copies are kept: they are
 * the way back to the version that wrote them.
 */
async function backUp(file: string, from: number, generations: readonly number[]): Promise<string> {
  const folder = `${file}.schema${from}.bak`;
  const draft = `${folder}.${process.pid}.tmp`;
  await rm(draft, { recursive: true, force: true });
  await mkdir(draft);
  for (const source of [file, ...generations.map((g) => journalPath(file, g))]) {
    const copy = join(draft, basename(source));
    await copyFile(source, copy);
    const handle = await open(copy, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  await fsyncDir(draft);
  // A folder left by an earlier attempt at this same migration is replaced: the files now are newer.
  await rm(folder, { recursive: true, force: true });
  await rename(draft, folder);
  await fsyncDir(dirname(file));
  return folder;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface OpenOptions {
  /** Who holds the lock, shown to a second process that tries to open the store. */
  command: string;
  /** Compact once the journal passes this size and the snapshot's (default 8 MiB). */
  compactAfterBytes?: number;
  /** The write lock's lease (default: taken over 30 s after its holder stopped renewing it). */
  lease?: LeaseOptions;
  /**
   * The bot and the CLI pass theirs. Default: silent, for the stores tests and benchmarks open by the
   * dozen. What a caller can act on reaches it anyway: a refused put and a lost lock throw.
   */
  log?: StoreLog;
}

export class Store implements PointsStore {
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
    private readonly log: StoreLog,
  ) {
    this.seq = seq;
    this.durableSeq = seq;
    lock.onLost = (error) => this.fail(error);
  }

  get location(): string {
    return this.file;
  }

  /**
   * Opens a store for writing: takes the lock, loads, and opens a journal generation. Files change
   * only when they must: a new store, a migration, or journals to fold into the snapshot.
   */
  static async open(path: string, options: OpenOptions): Promise<Store> {
    const file = resolve(path);
    mkdirSync(dirname(file), { recursive: true });
    const log = options.log ?? silentLog;
    const lock = acquireLock(file, options.command, options.lease);
    let journal: FileHandle | undefined;
    try {
      const loaded = await load(file);
      const last = loaded.generations.at(-1);
      // Never append after a torn line: a writer starts a new generation, unless the last one is empty.
      const reuse = last !== undefined && (await stat(journalPath(file, last))).size === 0;
      const generation = reuse ? last : Math.max((last ?? 0) + 1, loaded.firstGeneration);
      journal = await open(journalPath(file, generation), 'a');
      if (!reuse) await fsyncDir(dirname(file));
      const compactAfterBytes = options.compactAfterBytes ?? MIN_COMPACT_BYTES;
      const store = new Store(file, loaded.state, loaded.seq, generation, journal, loaded.snapshotBytes, lock, compactAfterBytes, log);
      if (loaded.migratedFrom !== null) {
        const kept = await backUp(file, loaded.migratedFrom, loaded.generations);
        log.info({ store: file, from: loaded.migratedFrom, to: SCHEMA_VERSION, kept }, `${file}: migrating from schema ${loaded.migratedFrom} to ${SCHEMA_VERSION}; the files as they were are kept in ${kept}`);
      }
      if (!loaded.snapshotExists || loaded.migratedFrom !== null || loaded.journalBytes > 0) await store.writeSnapshot(store.capture());
      return store;
    } catch (error) {
      await journal?.close();
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
    const { tx, result } = plan(this.state, fn, this.log, this.file);
    if (tx.puts.length > 0) {
      this.seq += 1;
      this.pending.push({ seq: this.seq, puts: tx.puts });
    }
    // Even a transaction that changed nothing waits for what it read to be durable.
    await this.durable(this.seq);
    return result;
  }

  /** The file's writer is the only process that may run anything: it holds the lock. */
  async leads(_task: string): Promise<boolean> {
    return this.failure === null && !this.closed;
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

  /** The lock is gone: writing on could interleave with another writer, so nothing more is written. */
  private fail(error: LockLostError): void {
    if (this.failure) return;
    this.failure = new StoreFailedError(`${this.file}: ${error.message}; nothing more is written (restart the process)`);
    this.log.error({ store: this.file }, this.failure.message);
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
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
        await this.lock.ensureHeld();
        written = await writeRecords(this.journal, batch);
        await this.journal.datasync();
      } catch (error) {
        if (error instanceof LockLostError) return this.fail(error);
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
        this.log.error({ store: this.file }, `${this.file}: could not write the snapshot (${error.message}); the journal keeps the data`);
      })
      .finally(() => {
        this.compacting = null;
      });
  }

  private async writeSnapshot(snapshot: Snapshot): Promise<void> {
    await this.lock.ensureHeld();
    const low = new Low<Snapshot>(new DurableJsonFile<Snapshot>(this.file), snapshot);
    await low.write();
    this.snapshotBytes = (await stat(this.file)).size;
    // Journals are removed only by the holder of the lock: another writer's may be newer than this snapshot.
    await this.lock.ensureHeld();
    for (const generation of await journalGenerations(this.file)) {
      if (generation < snapshot.journal) await rm(journalPath(this.file, generation), { force: true });
    }
    await fsyncDir(dirname(this.file));
  }
}
