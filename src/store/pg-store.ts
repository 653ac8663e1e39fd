// The store on PostgreSQL (DATABASE_URL): the contract of contract.ts for several bot instances on one
// database.
//
// Every instance keeps the whole store in memory, as the JSON store does, and serves every read from
// that view. A transaction locks the one version row (SELECT … FOR UPDATE), which runs the writers of
// every instance one after another with the database's own lock; it brings the view up to the
// database first (the rows written since the view's version), runs fn on the view, writes fn's puts
// with the next seq, notifies the other instances and commits; only then is it acknowledged. So fn
// always plans on the latest committed data, as on the JSON store, and the rules the planning code
// checks (idempotency by record id, monthly caps, once-a-year awards) hold across instances.
//
// The writes of other instances reach the view through LISTEN/NOTIFY on every commit, a poll every
// second in case a notice is lost, and a re-read after a reconnect: the view is at most about a second
// behind the database, and a caller sees its own write once its transact resolves.
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { plan, silentLog, StoreFailedError, StoreNotEmptyError, StoreRecordError, type PointsStore, type StoreLog, type Transaction } from './contract.js';
import { checkPut, collectionNames, emptySnapshot, type CollectionName, type Collections } from './schema.js';
import { State, type Put } from './state.js';

/** The channel every commit notifies, with its new seq. */
const CHANNEL = 'points_store';
/** The advisory lock held while migrations run, so two instances starting at once migrate once. */
const MIGRATION_LOCK = 0x504f494e;
/** The first key of the tasks' advisory locks (the second is the task name's hash): apart from the migration lock. */
const LEAD_LOCKS = 0x4c454144;
/** Rows per INSERT statement: a large import is written in several, all in one transaction. */
const CHUNK = 1000;
const RECONNECT_MS = 1000;

/** The database cannot be used: unreachable, or written by a newer version of this product. */
export class StoreDatabaseError extends Error {}

export interface PgOpenOptions {
  /** Shown as the connection's application_name, so an operator can tell the connections apart. */
  command: string;
  log?: StoreLog;
  /** How often the view asks the database for writes whose notice it missed (default 1 s). */
  pollMs?: number;
}

/** The URL for logs and messages: the password (in the URL or its query) never appears. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.href;
  } catch {
    return 'the PostgreSQL database';
  }
}

interface Migration {
  version: number;
  name: string;
  sql: string;
}

// Next to this module: src/store/pg/ when run from the sources, dist/pg/ (copied by the build) when
// bundled into dist/main.js and dist/cli.js.
const MIGRATIONS = new URL('./pg/', import.meta.url);
let migrationFiles: Migration[] | undefined;

/** The migrations, numbered 001, 002, … without gaps: the last one is the schema this code writes. */
function migrations(): Migration[] {
  migrationFiles ??= readdirSync(MIGRATIONS)
    .filter((name) => /^\d{3}-[a-z0-9-]+\.sql$/.test(name))
    .sort()
    .map((name, i) => {
      const version = Number(name.slice(0, 3));
      if (version !== i + 1) throw new Error(`${name}: migrations must be numbered 001, 002, … without gaps`);
      return { version, name, sql: readFileSync(new URL(name, MIGRATIONS), 'utf8') };
    });
  return migrationFiles;
}

const newerSchema = (location: string, found: number, known: number) =>
  `${location} was written by a newer version of this product (database schema ${found}); this version knows up to schema ${known}. ` +
  'Run the newer version, or restore a backup made for this one; the database was left as it is.';

function clientConfig(url: string, command: string): pg.ClientConfig {
  return {
    connectionString: url,
    application_name: command.slice(0, 63),
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    // A process that stops mid-transaction (frozen, cut off) would hold the version lock: the server
    // ends such a session, and the other instances write on.
    idle_in_transaction_session_timeout: 60_000,
  };
}

async function connect(config: pg.ClientConfig, location: string, onLost: (client: pg.Client) => void = () => {}): Promise<pg.Client> {
  // Loaded on first use: a bot on the store file never pays for the client (about 15 MiB of RSS).
  const { default: postgres } = await import('pg');
  const client = new postgres.Client(config);
  // Without a listener, a connection lost while idle would end the process.
  client.on('error', () => onLost(client));
  client.on('end', () => onLost(client));
  try {
    await client.connect();
    // The store's queries are key and index lookups. With the planner's estimates off (a table not yet
    // analysed after a large import), PostgreSQL would JIT-compile the catch-up query, about 200 ms
    // each time, and every write queued behind it would wait as long.
    await client.query('SET jit = off');
  } catch (error) {
    await client.end().catch(() => {});
    throw new StoreDatabaseError(`cannot connect to ${location}: ${(error as Error).message}`);
  }
  return client;
}

/** The highest migration applied, 0 for a database without the store's tables. */
async function appliedSchema(client: pg.Client): Promise<number> {
  const exists = await client.query<{ found: string | null }>("SELECT to_regclass('store_migrations')::text AS found");
  if (exists.rows[0]!.found === null) return 0;
  const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM store_migrations');
  return rows[0]!.version ?? 0;
}

/** Applies the migrations the database lacks, under an advisory lock; refuses a newer database. */
async function migrate(client: pg.Client, location: string, log: StoreLog): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS store_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied = await appliedSchema(client);
    const known = migrations();
    if (applied > known.length) throw new StoreDatabaseError(newerSchema(location, applied, known.length));
    for (const step of known.slice(applied)) {
      try {
        await client.query('BEGIN');
        await client.query(step.sql);
        await client.query('INSERT INTO store_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new StoreDatabaseError(`${location}: migration ${step.name} failed (${(error as Error).message}); the database stays at schema ${step.version - 1}`);
      }
      log.info({ store: location, migration: step.name }, `${location}: applied migration ${step.name}`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
  }
}

interface Row {
  collection: string;
  record: unknown;
}

/** Rows checked as a load checks a file: a row this version could not have written stops the load. */
function checkRows(rows: readonly Row[], location: string): Put[] {
  return rows.map(({ collection, record }) => {
    const problem = checkPut(collection as CollectionName, record);
    if (problem !== null) throw new StoreDatabaseError(`${location}: the ${collection} record "${String((record as { id?: unknown } | null)?.id)}" cannot be read: ${problem}`);
    return [collection, record] as Put;
  });
}

const IN_WRITE_ORDER = 'ORDER BY first_seq, first_pos';

/** The whole store as of one instant (one REPEATABLE READ snapshot), in the order it was written. */
async function loadSnapshot(client: pg.Client, location: string): Promise<{ state: State; seq: number }> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const version = await client.query<{ seq: string }>('SELECT seq FROM store_version');
    const { rows } = await client.query<Row>(`SELECT collection, record FROM store_records ${IN_WRITE_ORDER}`);
    await client.query('COMMIT');
    const snapshot = emptySnapshot();
    for (const [collection, record] of checkRows(rows, location)) (snapshot[collection] as unknown[]).push(record);
    return { state: State.from(snapshot), seq: Number(version.rows[0]!.seq) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * Reads a PostgreSQL store without writing to it (queries of the CLI): one consistent snapshot. A
 * database without the store's tables reads as an empty store.
 */
export async function readPgStore(url: string): Promise<State> {
  const location = redactUrl(url);
  const client = await connect(clientConfig(url, 'read-only'), location);
  try {
    const applied = await appliedSchema(client);
    const known = migrations().length;
    if (applied > known) throw new StoreDatabaseError(newerSchema(location, applied, known));
    if (applied === 0) return new State();
    if (applied < known) throw new StoreDatabaseError(`${location} has database schema ${applied}; start the bot once to bring it to schema ${known}, then read it`);
    return (await loadSnapshot(client, location)).state;
  } finally {
    await client.end().catch(() => {});
  }
}

/** An id PostgreSQL cannot hold as text: a NUL character, or half of a surrogate pair. */
const UNSTORABLE_ID = /\0|\p{Cs}/u;

const unstorableRecord = (collection: CollectionName, record: Put[1]) =>
  new StoreRecordError(collection, record, 'its id holds a NUL character or half of a surrogate pair, which PostgreSQL cannot store');

/**
 * Writes the puts of one transaction with its seq: the last put of a record wins, at its first position
 * (counted from `firstPos`, for a transaction written in several calls).
 */
async function writeRows(client: pg.Client, puts: readonly Put[], seq: number, firstPos = 0): Promise<void> {
  const rows = new Map<string, { collection: CollectionName; key: string; record: string; pos: number }>();
  puts.forEach(([collection, record], pos) => {
    const id = JSON.stringify([collection, record.id]);
    rows.set(id, { collection, key: record.id, record: JSON.stringify(record), pos: rows.get(id)?.pos ?? firstPos + pos });
  });
  const all = [...rows.values()];
  // The ledger is append-only: an entry id written twice breaks the primary key and the transaction.
  for (const [list, conflict] of [
    [all.filter((r) => r.collection === 'ledger'), ''],
    [all.filter((r) => r.collection !== 'ledger'), 'ON CONFLICT (collection, key) DO UPDATE SET record = EXCLUDED.record, seq = EXCLUDED.seq'],
  ] as const) {
    for (let at = 0; at < list.length; at += CHUNK) {
      const chunk = list.slice(at, at + CHUNK);
      await client.query(
        'INSERT INTO store_records (collection, key, record, seq, first_seq, first_pos) ' +
          `SELECT c, k, r::json, $4, $4, p FROM unnest($1::text[], $2::text[], $3::text[], $5::int[]) AS t(c, k, r, p) ${conflict}`,
        [chunk.map((r) => r.collection), chunk.map((r) => r.key), chunk.map((r) => r.record), seq, chunk.map((r) => r.pos)],
      );
    }
  }
}

async function holdsRecords(client: pg.Client): Promise<boolean> {
  if ((await appliedSchema(client)) === 0) return false;
  return (await client.query('SELECT 1 FROM store_records LIMIT 1')).rowCount! > 0;
}

/**
 * Writes a whole store into a database that holds no record (`cli store copy`): the rows go in chunks,
 * all in one transaction, so a copy that fails part-way leaves the database without any. A database
 * without the store's tables gets them first, as the bot's start would make them. Refuses, before
 * writing anything, a database with a record and a record whose id PostgreSQL cannot hold.
 */
export async function writeNewPgStore(
  url: string,
  records: Collections,
  options: { command: string; log?: StoreLog; onWritten?: (records: number) => void },
): Promise<void> {
  const location = redactUrl(url);
  for (const name of collectionNames) {
    const bad = (records[name] as Put[1][]).find((record) => UNSTORABLE_ID.test(record.id));
    if (bad) throw unstorableRecord(name, bad);
  }
  const client = await connect(clientConfig(url, options.command), location);
  let committing = false;
  try {
    // Checked before the migrations too: a database that is refused is not changed.
    if (await holdsRecords(client)) throw new StoreNotEmptyError(`${location} holds a store with records`);
    await migrate(client, location, options.log ?? silentLog);
    // The version lock keeps out the writers of any instance started meanwhile until the copy commits.
    const begun = (await client.query('BEGIN; SELECT seq FROM store_version FOR UPDATE')) as unknown as pg.QueryResult<{ seq: string }>[];
    if (await holdsRecords(client)) throw new StoreNotEmptyError(`${location} holds a store with records`);
    const seq = Number(begun[1]!.rows[0]!.seq) + 1;
    let written = 0;
    for (const name of collectionNames) {
      const list = records[name] as Put[1][];
      for (let at = 0; at < list.length; at += CHUNK) {
        const puts = list.slice(at, at + CHUNK).map((record) => [name, record] as Put);
        await writeRows(client, puts, seq, written);
        options.onWritten?.((written += puts.length));
      }
    }
    // Instances already running on the empty database read the copy at this notice.
    await client.query('UPDATE store_version SET seq = $1::bigint RETURNING pg_notify($2, $1::text)', [seq, CHANNEL]);
    committing = true;
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    if (error instanceof StoreNotEmptyError || error instanceof StoreDatabaseError) throw error;
    const message = (error as Error).message;
    // A connection lost while COMMIT was on its way leaves the outcome unknown: say so, not "nothing".
    if (committing) throw new StoreDatabaseError(`${location}: the database did not confirm the copy's commit (${message}); read it to see whether it holds the copy`);
    throw new StoreDatabaseError(`${location}: the copy was not committed (${message}); the database holds none of it`);
  } finally {
    await client.end().catch(() => {});
  }
}

interface Waiting {
  fn: (tx: Transaction) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class PgStore implements PointsStore {
  /** Transactions waiting for the next database transaction: they commit together (group commit). */
  private waiting: Waiting[] = [];
  /** Work on the view (a commit, a refresh) runs one at a time, in order. */
  private tail: Promise<void> = Promise.resolve();
  private commitQueued = false;
  private refreshQueued = false;
  private writer: pg.Client | null;
  private listener: pg.Client | null = null;
  /** The session holding the tasks' locks this instance leads; the locks go with it. */
  private leader: pg.Client | null = null;
  private leading: Promise<pg.Client> | null = null;
  private readonly led = new Set<string>();
  private readonly poll: NodeJS.Timeout;
  private failure: Error | null = null;
  private closed = false;

  private constructor(
    readonly location: string,
    readonly state: State,
    /** The version of the database the view holds. */
    private seq: number,
    writer: pg.Client,
    private readonly config: pg.ClientConfig,
    private readonly log: StoreLog,
    pollMs: number,
  ) {
    this.writer = writer;
    // A connection lost while idle is replaced by the next transaction, not found dead by it.
    writer.on('error', () => this.dropWriter(writer));
    writer.on('end', () => this.dropWriter(writer));
    this.poll = setInterval(() => this.queueRefresh(), pollMs);
    this.poll.unref();
  }

  /** Connects, applies the migrations the database lacks, loads the view and listens for other instances' commits. */
  static async open(url: string, options: PgOpenOptions): Promise<PgStore> {
    const location = redactUrl(url);
    const config = clientConfig(url, options.command);
    const log = options.log ?? silentLog;
    const writer = await connect(config, location);
    let store: PgStore | undefined;
    try {
      await migrate(writer, location, log);
      const { state, seq } = await loadSnapshot(writer, location);
      store = new PgStore(location, state, seq, writer, config, log, options.pollMs ?? 1000);
      await store.listen();
      return store;
    } catch (error) {
      if (store) await store.close();
      else await writer.end().catch(() => {});
      throw error;
    }
  }

  /**
   * Runs fn on the view once every write committed before it is in the view, under the database's
   * version lock, and resolves once its puts are committed. fn runs synchronously and alone across all
   * instances; if it throws, or the database does not confirm the commit, its puts are undone.
   */
  transact<T>(fn: (tx: Transaction) => T): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new StoreFailedError(`${this.location} is closed`));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.commitQueued) return;
      this.commitQueued = true;
      this.exclusive(() => this.commit());
    });
  }

  /** Waits for the transactions already asked for, then disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poll);
    for (let tail = this.tail; ; tail = this.tail) {
      await tail;
      if (tail === this.tail) break;
    }
    const clients = [this.writer, this.listener, this.leader];
    this.writer = null;
    this.listener = null;
    this.leader = null;
    this.leading = null;
    this.led.clear();
    await Promise.all(clients.map((client) => client?.end().catch(() => {})));
  }

  private exclusive(work: () => Promise<void>): void {
    this.tail = this.tail.then(work).catch((error: Error) => this.log.error({ store: this.location }, `${this.location}: ${error.message}`));
  }

  /** One database transaction for every transaction waiting now. */
  private async commit(): Promise<void> {
    this.commitQueued = false;
    const batch = this.waiting.splice(0);
    const planned: { item: Waiting; tx: Transaction; result: unknown }[] = [];
    let client: pg.Client | undefined;
    try {
      client = await this.writerClient();
      // Held until COMMIT: every writer of every instance waits here for the one before it. (BEGIN and
      // the lock go in one round trip: the simple query protocol runs both and answers both.)
      const begun = (await client.query('BEGIN; SELECT seq FROM store_version FOR UPDATE')) as unknown as pg.QueryResult<{ seq: string }>[];
      const version = Number(begun[1]!.rows[0]!.seq);
      // READ COMMITTED: this statement sees every transaction committed before the lock was granted.
      if (version > this.seq) this.apply((await client.query<Row>(`SELECT collection, record FROM store_records WHERE seq > $1 ${IN_WRITE_ORDER}`, [this.seq])).rows, version);
      for (const item of batch) {
        try {
          const { tx, result } = plan(this.state, item.fn, this.log, this.location);
          const unstorable = tx.puts.find(([, record]) => UNSTORABLE_ID.test(record.id));
          if (unstorable) {
            tx.undo();
            const refused = unstorableRecord(unstorable[0], unstorable[1]);
            this.log.error({ store: this.location, collection: refused.collection, id: refused.id, problem: refused.problem }, `refused a write: ${refused.message}`);
            throw refused;
          }
          planned.push({ item, tx, result });
        } catch (error) {
          item.reject(error);
        }
      }
      const puts = planned.flatMap(({ tx }) => tx.puts);
      if (puts.length > 0) {
        const seq = version + 1;
        await writeRows(client, puts, seq);
        // The notice goes out at COMMIT, to every instance listening (this one included).
        await client.query('UPDATE store_version SET seq = $1::bigint RETURNING pg_notify($2, $1::text)', [seq, CHANNEL]);
        await client.query('COMMIT');
        this.seq = seq;
      } else await client.query('COMMIT');
    } catch (error) {
      // Nothing is acknowledged: the view goes back to the database as this transaction found it. A
      // commit whose confirmation was lost may still have landed: the next refresh reads it back.
      for (const { tx } of planned.reverse()) tx.undo();
      if (client) {
        await client.query('ROLLBACK').catch(() => {});
        this.dropWriter(client);
      }
      const failure = error instanceof StoreFailedError ? error : new StoreFailedError(`${this.location}: the transaction was not committed (${(error as Error).message}); nothing of it was applied`);
      this.log.error({ store: this.location }, failure.message);
      for (const item of batch) item.reject(failure);
      return;
    }
    for (const { item, result } of planned) item.resolve(result);
  }

  /** Applies rows committed by other instances (or by this one, unconfirmed) up to version. */
  private apply(rows: readonly Row[], version: number): void {
    const puts = checkRows(rows, this.location);
    try {
      for (const put of puts) this.state.put(put);
    } catch (error) {
      // Half applied, the view matches no version of the database: nothing more is served from it.
      this.failure = new StoreFailedError(`${this.location}: could not apply the writes of other instances (${(error as Error).message}); restart the process`);
      this.log.error({ store: this.location }, this.failure.message);
      throw this.failure;
    }
    this.seq = version;
  }

  private queueRefresh(): void {
    if (this.refreshQueued || this.closed || this.failure) return;
    this.refreshQueued = true;
    this.exclusive(() => this.refresh());
  }

  /** Brings the view up to the database: one statement, so the version and the rows are one snapshot. */
  private async refresh(): Promise<void> {
    this.refreshQueued = false;
    let client: pg.Client | undefined;
    try {
      client = await this.writerClient();
      const { rows } = await client.query<{ version: string } & { collection: string | null; record: unknown }>(
        'SELECT v.seq AS version, r.collection, r.record FROM store_version v LEFT JOIN store_records r ON r.seq > $1 ORDER BY r.first_seq, r.first_pos',
        [this.seq],
      );
      const version = Number(rows[0]!.version);
      if (version > this.seq) this.apply(rows.filter((row): row is Row & { version: string; collection: string } => row.collection !== null), version);
    } catch (error) {
      if (client) this.dropWriter(client);
      // The poll tries again within a second; a failure to apply has already stopped the store.
      if (!(error instanceof StoreFailedError)) this.log.error({ store: this.location }, `${this.location}: could not read the latest writes (${(error as Error).message}); trying again`);
    }
  }

  /**
   * Takes the task's advisory lock if no instance holds it, or checks that this instance's session,
   * and so its lock, is still there. A lost session loses its locks: this instance stops leading, and
   * whichever instance asks next takes the task over.
   */
  async leads(task: string): Promise<boolean> {
    if (this.closed || this.failure) return false;
    try {
      const client = await this.leaderClient();
      if (this.led.has(task)) {
        await client.query('SELECT 1');
        return this.led.has(task);
      }
      const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS held', [LEAD_LOCKS, task]);
      if (rows[0]?.held && this.leader === client && !this.closed) this.led.add(task);
      return this.led.has(task);
    } catch (error) {
      if (this.closed) return false;
      this.log.error({ store: this.location, task }, `${this.location}: cannot tell whether this instance leads ${task} (${(error as Error).message}); it does not, until it can`);
      if (this.leader) this.dropLeader(this.leader);
      return false;
    }
  }

  /** The leading session: one, also when two asks come together (a second would hold locks nobody releases). */
  private leaderClient(): Promise<pg.Client> {
    this.leading ??= connect({ ...this.config, application_name: `${this.config.application_name ?? ''} lead`.slice(0, 63) }, this.location, (lost) => this.dropLeader(lost)).then(
      (client) => {
        // Closed while connecting: nothing may hold the process open, or a lock.
        if (this.closed) {
          client.end().catch(() => {});
          throw new StoreFailedError(`${this.location} is closed`);
        }
        return (this.leader = client);
      },
      (error: unknown) => {
        this.leading = null;
        throw error;
      },
    );
    return this.leading;
  }

  private dropLeader(client: pg.Client): void {
    if (this.leader !== client) return;
    this.leader = null;
    this.leading = null;
    this.led.clear();
    client.end().catch(() => {});
  }

  private async writerClient(): Promise<pg.Client> {
    if (this.writer) return this.writer;
    const client = await connect(this.config, this.location, (lost) => this.dropWriter(lost));
    this.writer = client;
    return client;
  }

  private dropWriter(client: pg.Client): void {
    if (this.writer !== client) return;
    this.writer = null;
    client.end().catch(() => {});
  }

  /** Listens for commits; after a lost connection, listens again and reads what was missed. */
  private async listen(): Promise<void> {
    const client = await connect(this.config, this.location, (lost) => this.relisten(lost));
    client.on('notification', (notice) => {
      if (Number(notice.payload) > this.seq) this.queueRefresh();
    });
    try {
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.closed) return void (await client.end().catch(() => {}));
    this.listener = client;
    // What was committed before LISTEN took effect.
    this.queueRefresh();
  }

  private relisten(client: pg.Client): void {
    if (this.listener !== client || this.closed) return;
    this.listener = null;
    client.end().catch(() => {});
    this.log.error({ store: this.location }, `${this.location}: lost the connection that listens for other instances' writes; reconnecting (the poll keeps the view within a second meanwhile)`);
    const retry = () => {
      if (this.closed) return;
      this.listen().catch(() => setTimeout(retry, RECONNECT_MS).unref());
    };
    setTimeout(retry, RECONNECT_MS).unref();
  }
}
