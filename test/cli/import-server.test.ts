// `import --server` as an administrator runs it: the real bot process on a temp store, the real CLI
// process sending a file of 5,000 records to it. A bad line sends nothing; the fixed file is applied
// once; running it again adds nothing; a bot killed part-way leaves a run that, after a restart, a
// re-run completes with every record applied exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStore } from '../../src/store/store.js';
import { folderHashes } from '../store/files.js';
import { startUntilReady, stopAll, stopped } from '../support/ready.js';
import { childTmp, tempDb, tempDir } from '../support/temp.js';

const SECRET = 'the-bot-events-secret-for-tests';
const MEMBERS = 1000;
const CREDITS = 4000;

const children: ChildProcess[] = [];
afterEach(() => stopAll(children));

/** 1,000 members, then 4,000 credits of 25 points, four per member; ids carry `tag` so files do not overlap. */
function records(tag: string) {
  const members = Array.from({ length: MEMBERS }, (_, i) => ({ type: 'member', id: `${tag}m${i}`, email: `${tag}m${i}@example.com`, name: `Member ${tag}${i}`, signedUpAt: '2025-01-15' }));
  const credits = Array.from({ length: CREDITS }, (_, i) => ({ type: 'credit', id: `${tag}c${i}`, member: `${tag}m${i % MEMBERS}`, action: 'qa.answer', at: '2025-06-01T10:00:00Z' }));
  return [...members, ...credits];
}

function writeFile(name: string, lines: unknown[]): string {
  const file = join(tempDir('import-files-'), name);
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

interface Bot {
  child: ChildProcess;
  url: string;
}

/** The bot as `npm start` runs it, on `db`, with the events API on and no notification loop. */
async function startBot(db: string, env: Record<string, string> = {}): Promise<Bot> {
  const command = [process.execPath, '--disable-warning=DEP0111', '--import', 'tsx', 'src/main.ts'];
  const url = await startUntilReady(command, { ...childTmp(), DB_FILE: db, PORT: '0', LOG_LEVEL: 'info', NOTIFY_EVERY: 'off', EVENTS_SECRET: SECRET, ...env }, /"url":"(http:\/\/127\.0\.0\.1:\d+)"/, children);
  return { child: children.at(-1)!, url };
}

interface Cli {
  /** Resolves once stderr matches `pattern`; rejects if the CLI exits first. */
  stderrMatches(pattern: RegExp): Promise<void>;
  done: Promise<{ code: number | null; out: string; err: string }>;
}

/** The CLI as `npm run cli` runs it, stderr not a terminal (plain progress lines). */
function cli(args: string[]): Cli {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', '--import', 'tsx', 'src/cli/bin.ts', ...args], {
    env: { ...process.env, ...childTmp(), EVENTS_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const watcher of watchers.filter((w) => w.pattern.test(err))) watcher.resolve();
  });
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.once('close', (code) => resolve({ code, out, err })));
  return {
    done,
    stderrMatches: (pattern) =>
      new Promise((resolve, reject) => {
        watchers.push({ pattern, resolve });
        void done.then(({ err: all }) => reject(new Error(`the CLI exited before its stderr matched ${pattern}:\n${all}`)));
      }),
  };
}

const health = async (bot: Bot) => (await (await fetch(`${bot.url}/healthz`)).json()) as { members: number; entries: number };
const types = (member: number, credit: number) => ({ member, credit, reversal: 0, partner: 0, 'partner-activity': 0 });

describe('import --server beside the running bot', () => {
  it('sends nothing for a file with a bad line, applies the fixed file once, and adds nothing when run again', async () => {
    const db = tempDb('import-server-');
    const bot = await startBot(db);
    const good = records('a');
    const bad = good.map((r, i) => (i === 3216 ? { ...r, member: 'nobody' } : r));

    const before = folderHashes(dirname(db));
    const refused = await cli(['--db', db, 'import', writeFile('bad.jsonl', bad), '--server', bot.url]).done;
    expect(refused.code).toBe(1);
    expect(refused.out).toBe('');
    expect(refused.err).toMatch(/^line 3217: .*no member with id or email "nobody"/m);
    expect(refused.err).toContain('Nothing was imported: 1 line(s) need fixing.');
    expect(folderHashes(dirname(db))).toEqual(before);
    expect(await health(bot)).toEqual({ status: 'ok', members: 0, entries: 0 });

    const file = writeFile('good.jsonl', good);
    const first = await cli(['--db', db, 'import', file, '--server', bot.url]).done;
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toEqual({ file, server: bot.url, batches: 5, records: 5000, new: types(MEMBERS, CREDITS), known: types(0, 0), entries: CREDITS, points: 25 * CREDITS });
    // Plain progress lines (stderr is no terminal): the check, then each batch answered.
    expect(first.err).toMatch(/^import: checking 100% 5,000\/5,000 records/m);
    expect(first.err.match(/^import: sending \d+% [\d,]+\/5,000 records/gm)?.map((line) => line.split(' ')[2])).toEqual(['20%', '40%', '60%', '80%', '100%']);
    expect(await health(bot)).toMatchObject({ members: MEMBERS, entries: CREDITS });

    const again = await cli(['--db', db, 'import', file, '--server', bot.url]).done;
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ batches: 5, records: 5000, new: types(0, 0), known: types(MEMBERS, CREDITS), entries: 0, points: 0 });
    expect(await health(bot)).toMatchObject({ members: MEMBERS, entries: CREDITS });
  });

  it('after the bot is killed part-way through a run and restarted, a re-run applies every record exactly once', async () => {
    const db = tempDb('import-server-');
    // Two batches at once, then one every 2 s: the third waits on a 429, with nothing in flight.
    let bot = await startBot(db, { EVENTS_RATE: '0.5', EVENTS_BURST: '2' });
    const file = writeFile('records.jsonl', records('b'));

    const interrupted = cli(['--db', db, 'import', file, '--server', bot.url, '--max-wait', '3']);
    await interrupted.stderrMatches(/^Batch \d+ \(lines [\d–]+\) not taken yet \(429/m);
    await stopped(bot.child, 'SIGKILL');
    const stopped_ = await interrupted.done;
    expect(stopped_.code).toBe(1);
    const gaveUp = /^Gave up on batch (\d+) \(lines [\d–]+\) after waiting \d+ s for the bot at http:\/\/127\.0\.0\.1:\d+ \(last: .+\); --max-wait is 3 s\. ([\d,]+) of 5,000 records were applied \(batches 1–(\d+)\)\. Running the same command again is safe: what was applied is counted as known\.$/m.exec(
      stopped_.err,
    );
    expect(gaveUp, stopped_.err).not.toBeNull();
    const [, batch, applied, through] = gaveUp!;
    expect(Number(through)).toBe(Number(batch) - 1);
    expect(Number(applied!.replace(',', ''))).toBe(1000 * Number(through));
    // What the bot answered before it was killed is on disk.
    const kept = await readStore(db);
    expect(kept.members.size + kept.ledger.size).toBe(1000 * Number(through));

    bot = await startBot(db);
    const rerun = await cli(['--db', db, 'import', file, '--server', bot.url]).done;
    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.out) as { new: Record<string, number>; known: Record<string, number>; records: number };
    expect(summary.records).toBe(5000);
    expect(summary.known.member! + summary.known.credit!).toBe(1000 * Number(through));
    expect(summary.new.member! + summary.known.member!).toBe(MEMBERS);
    expect(summary.new.credit! + summary.known.credit!).toBe(CREDITS);

    const state = await readStore(db);
    expect(state.members.size).toBe(MEMBERS);
    expect([...state.ledger.keys()].sort()).toEqual(Array.from({ length: CREDITS }, (_, i) => `bc${i}`).sort());
    // Four credits of 25 each: a credit applied twice would show as more.
    const points = new Set([...state.members.keys()].map((id) => state.entriesOf(id).reduce((sum, e) => sum + e.points, 0)));
    expect(points).toEqual(new Set([100]));
  });
});
