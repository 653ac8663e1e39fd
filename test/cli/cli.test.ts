import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readStore, Store } from '../../src/store/store.js';
import { cliAt, importedStore, jsonl } from '../support/cli.js';
import { childTmp, tempDb } from '../support/temp.js';

const NOW = new Date('2026-11-23T12:00:00Z');

const cli = cliAt(NOW);

const ann = { type: 'member', id: 'ann', email: 'ann@example.com', name: 'Ann', signedUpAt: '2023-04-12' };
const bob = { type: 'member', id: 'bob', email: 'bob@example.com', name: 'Bob', signedUpAt: '2024-02-29' };
const base = [
  ann,
  bob,
  { type: 'credit', id: 'c1', member: 'ann@example.com', action: 'cert.configurator', at: '2023-06-12T08:00:00Z' },
  { type: 'credit', id: 'c2', member: 'ann', action: 'docs.add-info', at: '2023-11-24T08:00:00Z', points: 4250 },
  { type: 'credit', id: 'c3', member: 'ann', action: 'advocacy.job-title', at: '2023-12-01T08:00:00Z' },
  { type: 'credit', id: 'c4', member: 'ann', action: 'training.event', at: '2024-01-10T08:00:00Z', days: 2 },
  { type: 'credit', id: 'c5', member: 'ann', action: 'qa.upvote-received', at: '2024-01-11T08:00:00Z' },
  { type: 'reversal', id: 'r1', reverses: 'c5', at: '2024-01-12T08:00:00Z', note: 'upvote withdrawn' },
];

const seeded = () => importedStore(cli, base, 'cli-', 'base.jsonl');

const snapshotOf = async (db: string) => {
  const state = await readStore(db);
  return { members: [...state.members.values()], ledger: [...state.ledger.values()] };
};

describe('cli import', () => {
  it('imports members, credits and reversals and prints a summary', async () => {
    const { summary } = await seeded();
    expect(summary).toMatchObject({
      records: 8,
      new: { member: 2, credit: 5, reversal: 1 },
      known: { member: 0, credit: 0, reversal: 0 },
      entries: 6,
      points: 750 + 4250 + 250 + 1000 + 25 - 25,
    });
  });

  it('changes nothing when the same file is imported again', async () => {
    const { db } = await seeded();
    const before = await snapshotOf(db);
    const again = await cli(['--db', db, 'import', jsonl(db, 'base.jsonl', base)]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ new: { member: 0, credit: 0, reversal: 0 }, known: { member: 2, credit: 5, reversal: 1 }, entries: 0 });
    expect(await snapshotOf(db)).toEqual(before);
  });

  const credit = (extra: Record<string, unknown>) => ({ type: 'credit', id: 'n1', member: 'ann', action: 'qa.ask', at: '2024-03-01T10:00:00Z', ...extra });
  const bad: [string, unknown, RegExp][] = [
    ['malformed JSON', '{"type":"credit",', /not valid JSON/],
    ['an unknown type', { type: 'bonus', id: 'x' }, /"type" must be "member", "credit", "reversal", "partner" or "partner-activity"/],
    ['an unknown field', credit({ pionts: 5 }), /pionts/],
    ['an unknown action', credit({ action: 'qa.nothing' }), /unknown action "qa.nothing"/],
    ['an unknown member', credit({ member: 'zed@example.com' }), /no member with id or email "zed@example.com"/],
    ['a missing range input', credit({ action: 'docs.typo' }), /docs.typo needs "points", a whole number from 25 to 50/],
    ['an out-of-range input', credit({ action: 'docs.typo', points: 51 }), /from 25 to 50 \(got 51\)/],
    ['too many days', credit({ action: 'training.event', days: 32 }), /"days", a whole number from 1 to 31 \(got 32\)/],
    ['a fractional number', credit({ action: 'training.event', days: 1.5 }), /"days" must be a whole number/],
    ['an input the rule does not take', credit({ points: 5 }), /qa.ask does not take "points"/],
    ['a bad date', credit({ at: '2024-02-30T10:00:00Z' }), /"at" must be an ISO-8601 instant/],
    ['an instant without an offset', credit({ at: '2024-03-01T10:00:00' }), /"at" must be an ISO-8601 instant with Z or an offset/],
    ['a credit before the sign-up', credit({ at: '2023-01-01T10:00:00Z' }), /before Ann's sign-up on 2023-04-12/],
    ['a once-a-year action repeated in the same year', credit({ action: 'advocacy.job-title', at: '2024-04-11T10:00:00Z' }), /once per membership year.*again from 2024-04-12/],
    ['an automatic bonus credited by hand', credit({ action: 'kata.early' }), /credited automatically/],
    ['a reversal of an unknown entry', { type: 'reversal', id: 'r9', reverses: 'nope', at: '2024-03-01T10:00:00Z' }, /no entry with id "nope"/],
    ['a reversal of an entry already reversed', { type: 'reversal', id: 'r9', reverses: 'c5', at: '2024-03-01T10:00:00Z' }, /c5 was already reversed by r1/],
    ['a reversal of a reversal', { type: 'reversal', id: 'r9', reverses: 'r1', at: '2024-03-01T10:00:00Z' }, /r1 is itself a reversal/],
    ['an id used with different content', credit({ id: 'c1' }), /entry id c1 is already used by a different entry/],
    ['a member id used with different content', { ...ann, name: 'Annie' }, /member ann already exists with a different name/],
    ['an email that belongs to another member', { ...bob, id: 'bob2' }, /email bob@example.com already belongs to member bob/],
    ['a bad email', { ...bob, id: 'carl', email: 'carl-at-example' }, /"email" must be an email address/],
    ['a bad sign-up date', { ...bob, id: 'carl', email: 'carl@example.com', signedUpAt: '2024-13-01' }, /"signedUpAt" must be a date/],
  ];

  it.each(bad)('refuses %s, reports the line, and imports nothing', async (_what, record, message) => {
    const { db } = await seeded();
    const before = await snapshotOf(db);
    // A good record before the bad one proves all-or-nothing.
    const good = { type: 'credit', id: 'good1', member: 'bob', action: 'qa.ask', at: '2025-01-01T10:00:00Z' };
    const result = await cli(['--db', db, 'import', jsonl(db, 'bad.jsonl', [good, record])]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(new RegExp(`^line 2: .*${message.source}`, "m"));
    expect(result.err).toContain('Nothing was imported');
    expect(result.err).not.toMatch(/line 1:/);
    expect(await snapshotOf(db)).toEqual(before);
  });

  it('reports every bad line of a file, with its number', async () => {
    const { db } = await seeded();
    const result = await cli(['--db', db, 'import', jsonl(db, 'bad.jsonl', ['nope', '', credit({ action: 'x.y' }), credit({ id: 'n2' })])]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^line 1: not valid JSON/m);
    expect(result.err).toMatch(/^line 3: unknown action "x.y"/m);
    expect(result.err).not.toMatch(/line 4/);
  });

  it('sees earlier lines of the same file: a member then its credits, a credit then its reversal', async () => {
    const db = tempDb('cli-');
    const result = await cli([
      '--db',
      db,
      'import',
      jsonl(db, 'one.jsonl', [
        bob,
        { type: 'credit', id: 'f1', member: 'bob', action: 'feedback.form', at: '2025-01-01T10:00:00Z' },
        { type: 'credit', id: 'f2', member: 'bob', action: 'feedback.form', at: '2025-01-02T10:00:00Z' },
        { type: 'credit', id: 'f3', member: 'bob', action: 'feedback.form', at: '2025-01-03T10:00:00Z' },
        { type: 'reversal', id: 'f3-undo', reverses: 'f3', at: '2025-01-04T10:00:00Z' },
      ]),
    ]);
    expect(result.code).toBe(0);
    const state = await readStore(db);
    expect(state.entriesOf('bob').map((e) => [e.id, e.points])).toEqual([
      ['f1', 50],
      ['f2', 50],
      ['f3', 0],
      ['f3-undo', 0],
    ]);
  });

  it('takes relative paths from the folder npm was run in (INIT_CWD)', async () => {
    const dir = dirname(tempDb('cli-'));
    jsonl(join(dir, 'db.json'), 'here.jsonl', [ann]);
    const result = await cli(['--db', 'here.db.json', 'import', 'here.jsonl'], { INIT_CWD: dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ file: 'here.jsonl', new: { member: 1 } });
    expect((await readStore(join(dir, 'here.db.json'))).member('ann')).toBeDefined();
  });

  it('says so when the file cannot be read', async () => {
    const result = await cli(['--db', tempDb(), 'import', '/nonexistent/file.jsonl']);
    expect(result).toMatchObject({ code: 1, err: 'Cannot read /nonexistent/file.jsonl: no such file\n' });
  });

  it('refuses to import while another process holds the store', async () => {
    const { db } = await seeded();
    const holder = await Store.open(db, { command: 'npm start' });
    try {
      const result = await cli(['--db', db, 'import', jsonl(db, 'x.jsonl', [credit({})])]);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/^The store cannot be used: .*already open for writing by process \d+ \(npm start/);
    } finally {
      await holder.close();
    }
  });
});

describe('cli status', () => {
  it('prints the status object at a date (end of that day in program time)', async () => {
    const { db } = await seeded();
    const result = await cli(['--db', db, 'status', 'ann@example.com', '--at', '2024-04-12']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      member: 'ann',
      at: '2024-04-12T21:59:59.999Z',
      year: { number: 2, start: '2024-04-12', end: '2025-04-12' },
      points: 0,
      status: 'enabler',
      carried: 'enabler',
      nextLevel: 'catalyst',
      pointsToNextLevel: 15000,
      toKeepStatus: 5000,
      daysToRenewal: 365,
      outcomes: [{ date: '2024-04-12', yearTotal: 6250, from: 'enabler', to: 'enabler', result: 'retained' }],
    });
  });

  it('defaults to now, and takes an instant', async () => {
    const { db } = await seeded();
    const now = JSON.parse((await cli(['--db', db, 'status', 'bob'])).out);
    expect(now).toMatchObject({ member: 'bob', at: NOW.toISOString(), year: { number: 3, start: '2026-02-28', end: '2027-02-28' }, points: 0, status: null });
    const instant = JSON.parse((await cli(['--db', db, 'status', 'ann', '--at', '2023-06-12T08:00:00+00:00'])).out);
    expect(instant).toMatchObject({ points: 750, status: 'advocate', toKeepStatus: 0, nextLevel: 'enabler', pointsToNextLevel: 4250 });
  });

  it.each([
    [['status', 'nobody'], /^No member with id or email "nobody"\.$/m],
    [['status', 'ann', '--at', 'yesterday'], /--at must be a date YYYY-MM-DD or an ISO-8601 instant/],
    [['status', 'ann', '--at', '2023-01-01'], /Ann signed up on 2023-04-12; there is no status before that\./],
    [['status'], /Expected: status MEMBER/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['status', 'ann', '--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with a sentence', async (args, message) => {
    const { db } = await seeded();
    const result = await cli(['--db', db, ...args]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('stops on a wrong setting with its sentence, like npm start', async () => {
    const result = await cli(['status', 'ann'], { MicrosoftAppId: '5f0c2b8e-1d3a-4c6b-9e7f-2a1b3c4d5e6f', MicrosoftAppType: 'UserAssignedMSI' });
    expect(result).toEqual({ code: 1, out: '', err: 'MicrosoftAppType=UserAssignedMSI needs MicrosoftAppTenantId: set it to the tenant id of the managed identity.\n' });
  });

  it('says so when there is no store at that path, and creates none', async () => {
    const db = tempDb('cli-');
    const result = await cli(['--db', db, 'status', 'ann']);
    expect(result).toMatchObject({ code: 1, err: `There is no store at ${db} yet: import members first, or name the store with --db.\n` });
    expect(existsSync(db)).toBe(false);
  });

  it('names the catalog file and the offending entry when the catalog is invalid', async () => {
    const db = tempDb('cli-');
    const rules = join(dirname(db), 'rules.json');
    writeFileSync(rules, JSON.stringify({ edition: 'x', effectiveFrom: '2024-01-01', timeZone: 'Europe/Brussels', levels: [], actions: [{ id: 'qa.ask', category: 'qa', title: 'Ask', kind: 'range', min: 9, max: 1 }] }));
    const result = await cli(['--db', db, 'status', 'ann'], { RULES_FILE: rules });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`The rule catalog ${rules} is invalid`);
    expect(result.err).toMatch(/levels: /);
  });
});

describe('cli history', () => {
  it('lists the ledger for a person, reversals included', async () => {
    const { db } = await seeded();
    const result = await cli(['--db', db, 'history', 'ann']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Membership year 1 (2023-04-12 to 2024-04-12)');
    expect(result.out).toMatch(/2024-01-11 09:00\s+\+25\s+c5\s+qa.upvote-received .*reversed by r1/);
    expect(result.out).toMatch(/-25\s+r1\s+qa.upvote-received .*REVERSES c5; note: upvote withdrawn/);
    expect(result.out).toContain('year total: 6250');
  });

  it('prints the entries as JSON with --json', async () => {
    const { db } = await seeded();
    const entries = JSON.parse((await cli(['--db', db, 'history', 'ann', '--json'])).out) as { id: string }[];
    expect(entries.map((e) => e.id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'r1']);
  });
});

describe('cli as a process', () => {
  it('runs through npm run -s cli with DB_FILE', async () => {
    const db = tempDb('cli-');
    const file = jsonl(db, 'p.jsonl', [ann, { type: 'credit', id: 'p1', member: 'ann', action: 'cert.automation', at: '2023-05-01T10:00:00Z' }]);
    const env = { ...process.env, ...childTmp(), DB_FILE: db };
    const exec = promisify(execFile);
    const imported = await exec('npm', ['run', '-s', 'cli', '--', 'import', file], { env });
    expect(JSON.parse(imported.stdout)).toMatchObject({ new: { member: 1, credit: 1 } });
    const status = await exec('npm', ['run', '-s', 'cli', '--', 'status', 'ann', '--at', '2023-05-01'], { env });
    expect(JSON.parse(status.stdout)).toMatchObject({ points: 750, status: 'advocate' });
    const failed = await exec('npm', ['run', '-s', 'cli', '--', 'status', 'zed'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('No member with id or email "zed".');
  });

  it('runs from another folder with npm --prefix, taking relative paths from that folder', async () => {
    const db = tempDb('cli-');
    jsonl(db, 'p.jsonl', [ann]);
    const exec = promisify(execFile);
    const env: NodeJS.ProcessEnv = { ...process.env, ...childTmp() };
    delete env.DB_FILE;
    const options = { cwd: dirname(db), env };
    const imported = await exec('npm', ['--prefix', process.cwd(), 'run', '-s', 'cli', '--', '--db', 'db.json', 'import', 'p.jsonl'], options);
    expect(JSON.parse(imported.stdout)).toMatchObject({ file: 'p.jsonl', new: { member: 1 } });
    expect((await readStore(db)).member('ann')?.email).toBe('ann@example.com');
    // Without --prefix, npm finds no package.json there and stops before the CLI runs: exit 254, and
    // with -s not a word.
    const outside = await exec('npm', ['run', '-s', 'cli', '--', '--db', 'db.json', 'status', 'ann'], options).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(outside).toMatchObject({ code: 254, stdout: '', stderr: '' });
  });
});
