// What only the PostgreSQL store has: several instances on one database, its migrations, and a lost
// connection. The cases every adapter shares are in contract.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { importRecords } from '../../src/services/import-records.js';
import { StoreFailedError, StoreRecordError } from '../../src/store/contract.js';
import { PgStore, readPgStore, redactUrl, StoreDatabaseError, type PgOpenOptions } from '../../src/store/pg-store.js';
import { openStore, readStoreAt } from '../../src/store/open-store.js';
import { Store } from '../../src/store/store.js';
import { defaultCatalog } from '../support/catalog.js';
import { cliAt, jsonl } from '../support/cli.js';
import { tempDb } from '../support/temp.js';
import { adminQuery, describeWithPostgres, postgresAvailable, postgresPerFile } from '../support/postgres.js';
import { member } from './records.js';

const catalog = defaultCatalog();
const NOW = Date.parse('2025-06-15T10:00:00Z');
const ann = { type: 'member', id: 'ann', email: 'ann@example.com', name: 'Ann', signedUpAt: '2024-01-10' };

const postgres = postgresAvailable ? postgresPerFile() : undefined;
const opened: PgStore[] = [];
async function open(url: string, options: Partial<PgOpenOptions> = {}): Promise<PgStore> {
  const store = await PgStore.open(url, { command: 'pg test', ...options });
  opened.push(store);
  return store;
}

/** Resolves once check() holds; a bound only catches a write that never arrives (it measures nothing). */
async function until(check: () => boolean | Promise<boolean>, what: string, boundMs = 30_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeWithPostgres('the PostgreSQL store', () => {
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  describe('two instances on one database', () => {
    it('runs 200 transactions split across both one after another: no lost update, every acknowledged write once, caps holding', async () => {
      const url = await postgres!.fresh();
      const [a, b] = await Promise.all([open(url), open(url)]);
      await a.transact((tx) => tx.put(['members', { ...member(1), name: '0' }]));
      // Each award goes to both instances (a retry landing elsewhere): its id makes it count once.
      const awards = Array.from({ length: 200 }, (_, i) => ({ type: 'credit', id: `f${i}`, member: 'ann', action: 'feedback.form', at: '2025-03-03T10:00:00Z' }));
      await importRecords(b, catalog, [{ index: 1, value: ann }], { source: 'import', by: 'test' }, NOW);
      const counted = Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          (i % 2 === 0 ? a : b).transact((tx) => {
            const current = Number(tx.view.member('m1')!.name);
            tx.put(['members', { ...member(1), name: String(current + 1) }]);
          }),
        ),
      );
      const imports = await Promise.all(
        awards.flatMap((award, i) => [a, b].map((store) => importRecords(store, catalog, [{ index: i + 1, value: award }], { source: 'import', by: 'test' }, NOW))),
      );
      await counted;
      expect(imports.filter((result) => !result.ok)).toEqual([]);
      for (const store of [a, b]) await until(() => store.state.member('m1')?.name === '200', 'both views at the last write');
      const state = await readPgStore(url);
      expect(state.member('m1')?.name).toBe('200');
      const entries = state.entriesOf('ann');
      expect(entries).toHaveLength(200);
      expect(new Set(entries.map((e) => e.id)).size).toBe(200);
      // feedback.form: 50 points, at most 100 a month.
      expect(entries.reduce((sum, e) => sum + e.points, 0)).toBe(100);
      const rows = await adminQuery(url, "SELECT count(*)::int AS n FROM store_records WHERE collection = 'ledger'");
      expect(rows.rows[0].n).toBe(200);
      expect(JSON.stringify(a.state.collections())).toBe(JSON.stringify(b.state.collections()));
    });

    it("brings a write on one instance to the other's view by its notice alone", async () => {
      const url = await postgres!.fresh();
      const a = await open(url);
      // No poll: only LISTEN/NOTIFY can bring the write.
      const b = await open(url, { pollMs: 3_600_000 });
      await a.transact((tx) => tx.put(['members', member(1)]));
      await until(() => b.state.member('m1') !== undefined, "the write on A in B's view");
      expect(b.state.member('m1')).toEqual(member(1));
    });

    it('still brings the writes after the listening connection is cut: it listens again and reads what it missed', async () => {
      const url = await postgres!.fresh();
      const a = await open(url);
      const b = await open(url, { command: 'pg test listener', pollMs: 3_600_000 });
      const cut = await adminQuery(url, "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'pg test listener' AND query LIKE 'LISTEN%'");
      expect(cut.rows[0].n).toBe(1);
      await a.transact((tx) => tx.put(['members', member(1)]));
      await until(() => b.state.member('m1') !== undefined, "the write on A in B's view after B's reconnect");
      await a.transact((tx) => tx.put(['members', member(2)]));
      await until(() => b.state.member('m2') !== undefined, 'the next write, by notice again');
    });
  });

  describe('one leader per task', () => {
    it('lets one instance at a time lead a task; when its session ends, the next instance to ask takes over', async () => {
      const url = await postgres!.fresh();
      const a = await open(url, { command: 'pg test a' });
      const b = await open(url, { command: 'pg test b' });
      // Two asks at once share one session: a second would hold a lock that nothing releases.
      expect(await Promise.all([a.leads('notify'), a.leads('notify')])).toEqual([true, true]);
      expect(await b.leads('notify')).toBe(false);
      expect(await a.leads('notify')).toBe(true);
      // Each task has a lock of its own.
      expect(await b.leads('other')).toBe(true);
      expect(await a.leads('other')).toBe(false);
      // A's session ends as it would with the process (SIGKILL, a lost network): its locks go with it.
      const cut = await adminQuery(url, "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'pg test a lead'");
      expect(cut.rows[0].n).toBe(1);
      await until(() => b.leads('notify'), "B leading once A's session has ended");
      expect(await a.leads('notify')).toBe(false);
      // A clean stop hands it over too.
      await b.close();
      await until(() => a.leads('notify'), 'A leading again once B has stopped');
    });
  });

  describe('migrations', () => {
    it('migrates once when two instances start at once, and records the schema', async () => {
      const url = await postgres!.fresh();
      await Promise.all([open(url), open(url), open(url)]);
      const { rows } = await adminQuery(url, 'SELECT version, name FROM store_migrations ORDER BY version');
      expect(rows).toEqual([
        { version: 1, name: '001-initial.sql' },
        { version: 2, name: '002-answers.sql' },
      ]);
    });

    it('refuses a database written by a newer version, with a sentence, and leaves it as it is', async () => {
      const url = await postgres!.fresh();
      const store = await open(url);
      await store.transact((tx) => tx.put(['members', member(1)]));
      await store.close();
      await adminQuery(url, "INSERT INTO store_migrations (version, name) VALUES (3, '003-future.sql')");
      for (const attempt of [() => PgStore.open(url, { command: 'pg test' }), () => readPgStore(url)]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreDatabaseError);
        expect((error as Error).message).toBe(
          `${redactUrl(url)} was written by a newer version of this product (database schema 3); this version knows up to schema 2. ` +
            'Run the newer version, or restore a backup made for this one; the database was left as it is.',
        );
      }
      const { rows } = await adminQuery(url, 'SELECT key FROM store_records');
      expect(rows).toEqual([{ key: 'm1' }]);
    });

    it('reads a database without the store as an empty store, creating nothing', async () => {
      const url = await postgres!.fresh();
      const state = await readPgStore(url);
      expect(state.members.size).toBe(0);
      const { rows } = await adminQuery(url, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema()");
      expect(rows[0].n).toBe(0);
    });
  });

  describe('a lost connection', () => {
    it('acknowledges nothing of a transaction whose connection is cut, and writes on with a new one', async () => {
      const url = await postgres!.fresh();
      const store = await open(url, { command: 'pg test writer' });
      await store.transact((tx) => tx.put(['members', member(1)]));
      // Another session holds the version row: the store's transaction waits inside BEGIN for it.
      const { default: pg } = await import('pg');
      const holder = new pg.Client(url);
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT seq FROM store_version FOR UPDATE');
        const pending = store.transact((tx) => tx.put(['members', { ...member(1), name: 'Lost' }])).then(
          () => 'acknowledged',
          (error: unknown) => error,
        );
        const waiting = "SELECT pid FROM pg_stat_activity WHERE application_name = 'pg test writer' AND wait_event_type = 'Lock'";
        let pid: number | undefined;
        await until(async () => (pid = (await holder.query<{ pid: number }>(waiting)).rows[0]?.pid) !== undefined, 'the writer waiting for the version row');
        await holder.query('SELECT pg_terminate_backend($1)', [pid]);
        const outcome = await pending;
        expect(outcome).toBeInstanceOf(StoreFailedError);
        expect((outcome as Error).message).toContain('nothing of it was applied');
        await holder.query('ROLLBACK');
      } finally {
        await holder.end();
      }
      expect(store.state.member('m1')?.name).toBe('Member 1');
      expect((await readPgStore(url)).member('m1')?.name).toBe('Member 1');
      await store.transact((tx) => tx.put(['members', member(2)]));
      expect([...(await readPgStore(url)).members.keys()]).toEqual(['m1', 'm2']);
    });

    it('names the database without its password when it cannot connect', async () => {
      const error = await PgStore.open('postgres://points:s3cret@127.0.0.1:1/points', { command: 'pg test' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreDatabaseError);
      expect((error as Error).message).toMatch(/^cannot connect to postgres:\/\/points:\*\*\*@127\.0\.0\.1:1\/points: /);
      expect((error as Error).message).not.toContain('s3cret');
    });
  });

  describe('ids PostgreSQL cannot store', () => {
    it.each([['a NUL character', 'm\u0000x'], ['half of a surrogate pair', 'm\ud800x']])('refuses a record whose id holds %s, logs it, and writes nothing of its transaction', async (_what, id) => {
      const url = await postgres!.fresh();
      const logged: string[] = [];
      const store = await open(url, { log: { info: () => {}, error: (_details, message) => logged.push(message) } });
      const error = await store
        .transact((tx) => {
          tx.put(['members', member(1)]);
          tx.put(['members', { ...member(2), id }]);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreRecordError);
      expect((error as StoreRecordError).problem).toBe('its id holds a NUL character or half of a surrogate pair, which PostgreSQL cannot store');
      expect(logged).toEqual([`refused a write: ${(error as Error).message}`]);
      expect(store.state.members.size).toBe(0);
      expect((await readPgStore(url)).members.size).toBe(0);
    });
  });

  describe('chosen by its location', () => {
    it('opens PostgreSQL for a postgres:// URL and the JSON store for a path', async () => {
      const url = await postgres!.fresh();
      const pgStore = await openStore(url, { command: 'pg test' });
      const fileStore = await openStore(tempDb('factory-'), { command: 'pg test' });
      try {
        expect(pgStore).toBeInstanceOf(PgStore);
        expect(fileStore).toBeInstanceOf(Store);
        await pgStore.transact((tx) => tx.put(['members', member(1)]));
        expect((await readStoreAt(url)).member('m1')).toEqual(member(1));
      } finally {
        await pgStore.close();
        await fileStore.close();
      }
    });

    it('serves the CLI with --db postgres://…: an import, then a status read from the database', async () => {
      const url = await postgres!.fresh();
      const cli = cliAt(new Date(NOW));
      const file = jsonl(tempDb('cli-pg-'), 'members.jsonl', [ann, { type: 'credit', id: 'c1', member: 'ann', action: 'feedback.form', at: '2025-03-03T10:00:00Z' }]);
      const imported = await cli(['--db', url, 'import', file]);
      expect(imported.err).toBe(`${redactUrl(url)}: applied migration 001-initial.sql\n${redactUrl(url)}: applied migration 002-answers.sql\n`);
      expect(imported.code).toBe(0);
      const status = await cli(['status', 'ann@example.com'], { DATABASE_URL: url });
      expect(status.err).toBe('');
      expect(JSON.parse(status.out)).toMatchObject({ member: 'ann', points: 50 });
    });
  });
});
