// The store contract every caller types against, whatever holds the data: the JSON store (a file and
// its journal, one process) or PostgreSQL (several processes on one database). Both keep the whole
// store in memory as a State, so every read is a map lookup; they differ in how a transaction is made
// durable and how the writes of other processes reach that view.
import { checkPut } from './schema.js';
import type { Put, State } from './state.js';

/**
 * What callers use of a store. Every adapter promises the same:
 * - `state` is the memory view every read comes from; a caller sees its own write in it as soon as
 *   its transact resolves.
 * - `transact(fn)`: fn plans on the view, synchronously and alone (no other transaction of any
 *   process interleaves), and puts; the puts apply whole or not at all; the promise resolves only once
 *   they are durable, and a failure leaves the view as it was.
 * - `close()` waits for what was acknowledged and releases what the store holds.
 */
export interface PointsStore {
  readonly state: State;
  /** Where the data is, for logs and messages: a file path, or a database URL without its password. */
  readonly location: string;
  transact<T>(fn: (tx: Transaction) => T): Promise<T>;
  /**
   * Whether this process may run `task` (the notification loop) now: asked before each run. The file
   * store has one writer, which always may. On PostgreSQL one instance at a time holds the task's
   * lock, for as long as its connection lives: when that instance dies, the next to ask takes it.
   */
  leads(task: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The store cannot write any more (its lock is lost, its disk or database failed): restart the process. */
export class StoreFailedError extends Error {}

/** A store named to receive a copy already holds records: nothing was written to it. */
export class StoreNotEmptyError extends Error {}

/** A put the store refused because the record would not load again: nothing of its transaction was written. */
export class StoreRecordError extends Error {
  readonly id: string;

  constructor(
    readonly collection: string,
    record: unknown,
    readonly problem: string,
  ) {
    const id = String((record as { id?: unknown } | null)?.id);
    super(`the store refuses the ${collection} record "${id}": ${problem}`);
    this.name = 'StoreRecordError';
    this.id = id;
  }
}

/** Where the store reports what it refused or could not do; a pino logger fits. */
export interface StoreLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const silentLog: StoreLog = { info: () => {}, error: () => {} };

/** Thrown inside a transaction to cancel it; the store is left as it was. */
export class Rollback<T> extends Error {
  constructor(readonly detail: T) {
    super('transaction rolled back');
  }
}

/** What a transaction sees and writes: the live data, with every put recorded and undoable. */
export class Transaction {
  readonly puts: Put[] = [];
  /** Puts refused for a record that would not load (each also thrown to the caller of put). */
  readonly refused: StoreRecordError[] = [];
  /** The records that puts replaced, by position in puts: all that is needed to undo. */
  private readonly replaced = new Map<number, Put[1]>();

  constructor(readonly view: State) {}

  /** Applies a put, or throws StoreRecordError for a record that loading would refuse. */
  put(put: Put): void {
    const problem = checkPut(put[0], put[1]);
    if (problem !== null) {
      const error = new StoreRecordError(put[0], put[1], problem);
      this.refused.push(error);
      throw error;
    }
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

/**
 * Runs fn as a transaction on the view: its result, or its error after its puts are undone. A refused
 * put is logged even when fn caught it: a refused write is a defect of the code that made it.
 */
export function plan<T>(view: State, fn: (tx: Transaction) => T, log: StoreLog, location: string): { tx: Transaction; result: T } {
  const tx = new Transaction(view);
  try {
    return { tx, result: fn(tx) };
  } catch (error) {
    tx.undo();
    throw error;
  } finally {
    for (const refused of tx.refused) log.error({ store: location, collection: refused.collection, id: refused.id, problem: refused.problem }, `refused a write: ${refused.message}`);
  }
}
