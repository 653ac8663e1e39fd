// `store copy`: a whole store moved between the JSON store file and PostgreSQL, record for record, into
// an empty place only, all or nothing, and compared with its source at the end.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { DEFAULT_RULES_FILE } from '../../src/config.js';
import { importRecords } from '../../src/services/import-records.js';
import type { Transaction } from '../../src/store/contract.js';
import { readStoreAt } from '../../src/store/open-store.js';
import { PgStore } from '../../src/store/pg-store.js';
import { Store } from '../../src/store/store.js';
import { defaultCatalog } from '../support/catalog.js';
import { cliAt } from '../support/cli.js';
import { adminQuery, describeWithPostgres, postgresAvailable, postgresPerFile } from '../support/postgres.js';
import { childTmp, tempDb, tempDir } from '../support/temp.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const cli = cliAt(NOW);
const exec = promisify(execFile);
const postgres = postgresAvailable ? postgresPerFile() : undefined;

const imported = [
  { type: 'partner', id: 'p-acme', name: 'Acme Media' },
  { type: 'partner', id: 'p-beta', name: 'Beta Broadcast', legacyLevel: { business: 'creator' } },
  { type: 'member', id: 'ann', email: 'ann@acme.example', name: 'Ann', signedUpAt: '2024-01-10', partnerId: 'p-acme' },
  { type: 'member', id: 'bob', email: 'bob@example.com', name: 'Bob', signedUpAt: '2025-02-28' },
  { type: 'credit', id: 'c1', member: 'ann', action: 'cert.automation', at: '2025-03-03T10:00:00Z' },
  // Same instant: the ledger keeps the order they were written in, not the order of their ids.
  { type: 'credit', id: 'z-first', member: 'ann', action: 'qa.answer', at: '2025-04-01T10:00:00Z' },
  { type: 'credit', id: 'a-second', member: 'ann', action: 'qa.ask', at: '2025-04-01T10:00:00Z' },
  { type: 'credit', id: 'c2', member: 'bob', action: 'training.event', at: '2025-05-01T10:00:00Z', days: 2 },
  { type: 'credit', id: 'c3', member: 'bob', action: 'qa.upvote-received', at: '2025-05-02T10:00:00Z' },
  { type: 'reversal', id: 'r1', reverses: 'c3', at: '2025-05-03T10:00:00Z', note: 'upvote withdrawn' },
  { type: 'partner-activity', id: 'a1', partner: 'p-acme', metric: 'technical.certification', at: '2025-03-01T10:00:00Z', count: 2 },
  { type: 'partner-activity', id: 'd1-reg', partner: 'p-acme', metric: 'business.deal', deal: 'D-1', status: 'registered', at: '2025-02-01T10:00:00Z' },
  { type: 'partner-activity', id: 'd1-won', partner: 'p-acme', metric: 'business.deal', deal: 'D-1', status: 'won', at: '2025-05-01T10:00:00Z' },
];

/** What the import cannot bring: claims, the outbox, preferences, conversations, markers; and a rewritten member. */
function putOthers(tx: Transaction): void {
  tx.put(['claims', { id: 'claim-1', kind: 'action', submittedBy: 'bob', submittedAt: '2026-01-05T09:00:00.000Z', action: 'qa.ask', dates: ['2026-01-05'], status: 'pending' }]);
  tx.put(['claims', { id: 'claim-2', kind: 'action', submittedBy: 'ann', submittedAt: '2026-01-06T09:00:00.000Z', action: 'qa.ask', dates: ['2026-01-06'], status: 'rejected', decidedBy: 'admin', decidedAt: '2026-01-07T09:00:00.000Z', reason: 'no proof' }]);
  tx.put(['notifications', { id: 'claim-decision:claim-2:rejected', memberId: 'ann', kind: 'claim-decision', createdAt: '2026-01-07T09:00:00.000Z', delivery: 'sent', attempts: 1, sentAt: '2026-01-07T09:01:00.000Z', claimId: 'claim-2', status: 'rejected', points: 0, reason: 'no proof' }]);
  tx.put(['preferences', { id: 'bob', leaderboardOptOut: true }]);
  tx.put([
    'conversations',
    {
      id: 'aad-ann',
      memberId: 'ann',
      reference: { channelId: 'msteams', serviceUrl: 'https://smba.example/', conversation: { id: 'conv-ann', tenantId: 't' }, user: { id: 'u-ann', aadObjectId: 'aad-ann' }, bot: { id: 'bot' } },
      savedAt: '2026-01-01T00:00:00.000Z',
    },
  ]);
  tx.put(['markers', { id: 'notify.last-pass', at: '2026-11-23T11:00:00.000Z' }]);
  // Rewritten after later records: it keeps its first place in its collection.
  tx.put(['members', { id: 'ann', email: 'ann@acme.example', name: 'Ann Again', signedUpAt: '2024-01-10', partnerId: 'p-acme' }]);
}

/** A JSON store holding every kind of record; `more` adds to it in one more transaction. */
async function seededFile(more: (tx: Transaction) => void = () => {}): Promise<string> {
  const db = tempDb('store-copy-');
  const store = await Store.open(db, { command: 'test' });
  try {
    const result = await importRecords(store, defaultCatalog(), imported.map((value, i) => ({ index: i + 1, value })), { source: 'import', by: 'test' }, NOW.getTime());
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    await store.transact(putOthers);
    await store.transact(more);
  } finally {
    await store.close();
  }
  return db;
}

/** Every record of the store at `where`, read afresh, collection by collection in the order kept. */
const contents = async (where: string) => (await readStoreAt(where)).collections();

/** A file beside the store, to see that a refusal changed nothing there. */
const filesOf = (db: string) => Object.fromEntries(readdirSync(dirname(db)).map((name) => [name, readFileSync(join(dirname(db), name), 'utf8')]));

const rowCount = async (url: string) => Number((await adminQuery(url, 'SELECT count(*) AS n FROM store_records')).rows[0].n);

const member = (n: number) => ({ id: `m${n}`, email: `m${n}@example.com`, name: `Member ${n}`, signedUpAt: '2024-01-01' });

describe('store copy between files', () => {
  it('copies a store into a new file, record for record, and reports the comparison', async () => {
    const source = await seededFile();
    const target = join(tempDir('store-copy-'), 'copy.json');
    const copied = await cli(['store', 'copy', '--from', source, '--to', target, '--at', '2026-06-30']);
    expect(copied.code).toBe(0);
    const report = JSON.parse(copied.out) as Record<string, unknown>;
    expect(report).toMatchObject({
      from: source,
      to: target,
      records: { members: 2, ledger: 6, claims: 2, notifications: 1, preferences: 1, conversations: 1, markers: 1, partners: 2, partnerActivities: 3 },
      membersCompared: 2,
      at: '2026-06-30T21:59:59.999Z',
    });
    expect(typeof report.seconds).toBe('number');
    expect(copied.err).toContain(`The copy holds ${source} as read at 2026-11-23T12:00:00.000Z: writes made to it after that are not in the copy.`);
    const [before, after] = [await contents(source), await contents(target)];
    expect(after).toEqual(before);
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
    expect(after.ledger.filter((e) => e.at === '2025-04-01T10:00:00.000Z').map((e) => e.id)).toEqual(['z-first', 'a-second']);
    expect(after.members.map((m) => m.name)).toEqual(['Ann Again', 'Bob']);
    // The copy is a store the bot opens and writes.
    const store = await Store.open(target, { command: 'test' });
    await store.transact((tx) => tx.put(['preferences', { id: 'ann', notificationsOff: true }]));
    await store.close();
    expect((await readStoreAt(target)).preferences.get('ann')).toEqual({ id: 'ann', notificationsOff: true });
  });

  it('shows its progress on the progress sink, stdout keeping the report', async () => {
    const source = await seededFile();
    const target = join(tempDir('store-copy-'), 'copy.json');
    let out = '';
    let shown = '';
    const io = { out: (t: string) => void (out += t), err: () => {}, progress: { isTTY: false, write: (t: string) => void (shown += t) } };
    expect(await run(['store', 'copy', '--from', source, '--to', target], {}, io, NOW)).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ membersCompared: 2 });
    // A log gets a line every tenth of each step; these are the ends of the steps.
    const lines = shown
      .split('\n')
      .map((line) => line.replace(/ [\d,]+ \w+\/s$/, ''))
      .filter((line) => !/ \d{1,2}% /.test(line));
    expect(lines).toEqual([
      `store copy: reading ${source}`,
      'store copy: source statuses 100% 2/2 members',
      'store copy: writing 100% 19/19 records',
      `store copy: reading the copy back from ${target}`,
      'store copy: comparing 100% 2/2 members',
      '',
    ]);
  });

  it('refuses a target file that holds records, and leaves it as it was', async () => {
    const source = await seededFile();
    const target = tempDb('store-copy-target-');
    const store = await Store.open(target, { command: 'test' });
    await store.transact((tx) => tx.put(['members', member(1)]));
    await store.close();
    const files = filesOf(target);
    const copied = await cli(['store', 'copy', '--from', source, '--to', target]);
    expect(copied).toMatchObject({ code: 1, out: '' });
    expect(copied.err).toBe(`Nothing was copied: ${target} holds records already, and a copy goes only into an empty store (a new file, or a database without the store's records).\n`);
    expect(filesOf(target)).toEqual(files);
  });

  it('copies into a store file that exists but holds no record', async () => {
    const source = await seededFile();
    const target = tempDb('store-copy-target-');
    await (await Store.open(target, { command: 'test' })).close();
    expect(existsSync(target)).toBe(true);
    const copied = await cli(['store', 'copy', '--from', source, '--to', target]);
    expect(copied.code).toBe(0);
    expect(await contents(target)).toEqual(await contents(source));
  });

  it('refuses the same store as source and target, however it is written', async () => {
    const source = await seededFile();
    const files = filesOf(source);
    const other = join(dirname(source), '..', dirname(source).split('/').at(-1)!, 'db.json');
    const copied = await cli(['store', 'copy', '--from', source, '--to', other]);
    expect(copied).toMatchObject({ code: 1, err: `--from and --to name the same store (${source}): copy it to another place.\n` });
    expect(filesOf(source)).toEqual(files);
  });

  it('refuses a target in a folder that does not exist, and makes no folder', async () => {
    const source = await seededFile();
    const missing = join(tempDir('store-copy-'), 'no-such-folder');
    const copied = await cli(['store', 'copy', '--from', source, '--to', join(missing, 'db.json')]);
    expect(copied).toMatchObject({ code: 1, err: `--to ${join(missing, 'db.json')}: the folder ${missing} does not exist.\n` });
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a source that is missing or holds no records', async () => {
    const folder = tempDir('store-copy-');
    const target = join(folder, 'copy.json');
    const missing = await cli(['store', 'copy', '--from', join(folder, 'none.json'), '--to', target]);
    expect(missing).toMatchObject({ code: 1, err: `There is no store at ${join(folder, 'none.json')} (--from).\n` });
    const empty = tempDb('store-copy-empty-');
    await (await Store.open(empty, { command: 'test' })).close();
    const nothing = await cli(['store', 'copy', '--from', empty, '--to', target]);
    expect(nothing).toMatchObject({ code: 1, err: `${empty} holds no records: there is nothing to copy.\n` });
    expect(readdirSync(folder)).toEqual([]);
  });

  it('refuses what is not a store file or a postgres:// URL, missing stores and other options, never repeating a password', async () => {
    const source = await seededFile();
    const files = filesOf(source);
    const cases: [string[], string][] = [
      [['--to', 'postgres://ann:secret@db.example:99999/points'], '--to is not a valid URL: write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE.\n'],
      [['--to', 'postgres:///points?password=secret'], '--to names no host: write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE.\n'],
      [['--to', 'mysql://ann:secret@db.example/points'], '--to must be a store file or a postgres:// URL.\n'],
      [[], 'Name both stores: store copy --from FILE|URL --to FILE|URL [--at WHEN].\n'],
      [['--to', 'x.json', '--db', 'y.json'], '--db does not apply to store copy (store copy --from FILE|URL --to FILE|URL [--at WHEN]).\n'],
    ];
    for (const [args, err] of cases) expect(await cli(['store', 'copy', '--from', source, ...args])).toMatchObject({ code: 1, out: '', err });
    expect(await cli(['store', 'move', '--from', source, '--to', 'x.json'])).toMatchObject({ code: 1, err: 'Expected: store copy --from FILE|URL --to FILE|URL [--at WHEN].\n' });
    // A file that is not a store (the rule catalog, named by mistake) is refused in one sentence, left as it is.
    const catalogBytes = readFileSync(DEFAULT_RULES_FILE);
    const notStore = await cli(['store', 'copy', '--from', DEFAULT_RULES_FILE, '--to', join(tempDir('store-copy-'), 'x.json')]);
    expect(notStore.code).toBe(1);
    expect(notStore.err).toMatch(/is not a store of this product: .* the file was left as it is\.\n$/);
    expect(readFileSync(DEFAULT_RULES_FILE)).toEqual(catalogBytes);
    expect(await cli(['store', 'copy', '--from', source, '--to', 'x.json', '--at', 'soon'])).toMatchObject({ code: 1, err: '--at must be a date YYYY-MM-DD or an ISO-8601 instant with an offset, not "soon".\n' });
    // Reachable only when tried: the answer names the database without the password.
    const unreachable = await cli(['store', 'copy', '--from', source, '--to', 'postgres://ann:secret@127.0.0.1:1/points']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/^The store cannot be used: cannot connect to postgres:\/\/ann:\*\*\*@127\.0\.0\.1:1\/points: /);
    expect(unreachable.err).not.toContain('secret');
    expect(filesOf(source)).toEqual(files);
  });

  it('leaves no target when writing it fails part-way (a file size limit, as a full disk would)', async () => {
    const members = Array.from({ length: 1500 }, (_, i) => member(i));
    const source = await seededFile((tx) => members.forEach((m) => tx.put(['members', m])));
    const folder = tempDir('store-copy-');
    const target = join(folder, 'copy.json');
    // ulimit -f: the process may write files of at most 64 KiB; the source is larger.
    const script = 'ulimit -f 64; exec node --import tsx src/cli/bin.ts store copy --from "$0" --to "$1"';
    const failed = await exec('bash', ['-c', script, source, target], { env: { ...process.env, ...childTmp() } }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain(`Nothing was copied to ${target}: EFBIG`);
    expect(readdirSync(folder)).toEqual([]);
  });
});

describeWithPostgres('store copy with PostgreSQL', () => {
  /** An empty store's database where a trigger runs `body` on the insert of the record `key`. */
  async function storeWithTrigger(key: string, body: string): Promise<string> {
    const url = await postgres!.fresh();
    await (await PgStore.open(url, { command: 'test' })).close();
    await adminQuery(
      url,
      `CREATE FUNCTION on_insert() RETURNS trigger AS $$ BEGIN ${body} END $$ LANGUAGE plpgsql;` +
        `CREATE TRIGGER on_insert BEFORE INSERT ON store_records FOR EACH ROW WHEN (NEW.key = '${key}') EXECUTE FUNCTION on_insert()`,
    );
    return url;
  }

  it('moves a store from a file to PostgreSQL and back, as real processes, and the file at the end holds what the first did', async () => {
    const source = await seededFile();
    const url = await postgres!.fresh();
    const back = join(tempDir('store-copy-'), 'back.json');
    const env = { ...process.env, ...childTmp() };
    const there = await exec('npm', ['run', '-s', 'cli', '--', 'store', 'copy', '--from', source, '--to', url], { env });
    expect(JSON.parse(there.stdout)).toMatchObject({ from: source, records: { members: 2, ledger: 6, claims: 2, partnerActivities: 3 }, membersCompared: 2 });
    expect(await rowCount(url)).toBe(19);
    const home = await exec('npm', ['run', '-s', 'cli', '--', 'store', 'copy', '--from', url, '--to', back, '--at', '2025-12-31'], { env });
    expect(JSON.parse(home.stdout)).toMatchObject({ to: back, membersCompared: 2, at: '2025-12-31T22:59:59.999Z' });
    const [first, last] = [await contents(source), await contents(back)];
    expect(last).toEqual(first);
    expect(JSON.stringify(last)).toBe(JSON.stringify(first));
    // The same statuses through `cli status` on each of the three.
    for (const member of ['ann', 'bob']) {
      const statuses = await Promise.all([source, url, back].map(async (db) => (await cli(['--db', db, 'status', member, '--at', '2025-12-31'])).out));
      expect(new Set(statuses).size).toBe(1);
    }
  });

  it('gives a bot on the database the copy, and keeps writing after it', async () => {
    const source = await seededFile();
    const url = await postgres!.fresh();
    expect((await cli(['store', 'copy', '--from', source, '--to', url])).code).toBe(0);
    const store = await PgStore.open(url, { command: 'test' });
    try {
      expect(store.state.collections()).toEqual(await contents(source));
      await store.transact((tx) => tx.put(['members', member(9)]));
    } finally {
      await store.close();
    }
    expect(await rowCount(url)).toBe(20);
  });

  it('copies from one database to another', async () => {
    const source = await seededFile();
    const [first, second] = [await postgres!.fresh(), await postgres!.fresh()];
    expect((await cli(['store', 'copy', '--from', source, '--to', first])).code).toBe(0);
    const copied = await cli(['store', 'copy', '--from', first, '--to', second]);
    expect(copied.code).toBe(0);
    expect(JSON.stringify(await contents(second))).toBe(JSON.stringify(await contents(source)));
  });

  it('refuses a database that holds records, or is the source, and changes nothing there', async () => {
    const source = await seededFile();
    const url = await postgres!.fresh();
    const store = await PgStore.open(url, { command: 'test' });
    await store.transact((tx) => tx.put(['members', member(1)]));
    await store.close();
    const shown = new URL(url);
    const copied = await cli(['store', 'copy', '--from', source, '--to', url]);
    expect(copied).toMatchObject({ code: 1, out: '' });
    expect(copied.err).toContain(`Nothing was copied: ${shown.href} holds records already`);
    const same = await cli(['store', 'copy', '--from', url, '--to', url.replace('postgres://', 'postgresql://')]);
    expect(same).toMatchObject({ code: 1, err: `--from and --to name the same store (${url.replace('postgres://', 'postgresql://')}): copy it to another place.\n` });
    expect((await adminQuery(url, 'SELECT collection, key, seq FROM store_records')).rows).toEqual([{ collection: 'members', key: 'm1', seq: '1' }]);
    expect((await adminQuery(url, 'SELECT seq FROM store_version')).rows).toEqual([{ seq: '1' }]);
  });

  it('refuses, before writing anything, a record whose id PostgreSQL cannot hold', async () => {
    const source = await seededFile((tx) => tx.put(['members', { ...member(1), id: 'm\u00001' }]));
    const url = await postgres!.fresh();
    const copied = await cli(['store', 'copy', '--from', source, '--to', url]);
    expect(copied.code).toBe(1);
    expect(copied.err).toContain('the store refuses the members record "m\u00001": its id holds a NUL character');
    // Refused before connecting: not even the store's tables were made.
    expect((await adminQuery(url, "SELECT to_regclass('store_records') AS found")).rows).toEqual([{ found: null }]);
  });

  it('leaves the database without records when it refuses a record part-way through the copy', async () => {
    const members = Array.from({ length: 2500 }, (_, i) => member(i));
    const source = await seededFile((tx) => members.forEach((m) => tx.put(['members', m])));
    // The last collection's record is refused: thousands of rows were sent before it, in the same transaction.
    const url = await storeWithTrigger('d1-won', "RAISE EXCEPTION 'refused %', NEW.key;");
    const copied = await cli(['store', 'copy', '--from', source, '--to', url]);
    expect(copied.code).toBe(1);
    expect(copied.err).toContain('the copy was not committed (refused d1-won); the database holds none of it');
    expect(await rowCount(url)).toBe(0);
    expect((await adminQuery(url, 'SELECT seq FROM store_version')).rows).toEqual([{ seq: '0' }]);
    // Refused by the database alone: without the trigger the same copy goes in whole.
    await adminQuery(url, 'DROP TRIGGER on_insert ON store_records');
    expect((await cli(['store', 'copy', '--from', source, '--to', url])).code).toBe(0);
    expect(await rowCount(url)).toBe(2500 + 19);
  });

  it('names the members whose status differs when the copy read back is not the source', async () => {
    const source = await seededFile();
    // A database that changes what it is given: Bob's credit c2 is kept as one of 1 point.
    const url = await storeWithTrigger('c2', 'NEW.record := (NEW.record::jsonb || \'{"points": 1}\'::jsonb)::json; RETURN NEW;');
    const copied = await cli(['store', 'copy', '--from', source, '--to', url]);
    expect(copied).toMatchObject({ code: 1, out: '' });
    expect(copied.err).toContain(`The copy at ${new URL(url).href} differs from ${source}: ledger: the records differ; the status at 2026-11-23T12:00:00.000Z differs for "bob". Do not start the bot on the copy.`);
  });
});

describe('the usage', () => {
  it('lists store copy', async () => {
    const help = await cli(['--help']);
    expect(help.out).toContain('store copy --from FILE|URL --to FILE|URL [--at WHEN]');
  });
});
