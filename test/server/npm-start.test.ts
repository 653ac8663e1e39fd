// `npm start`, the command the README gives and container runtimes stop: SIGTERM to the npm process
// (what `docker stop` sends to the first process) or Ctrl-C in a terminal (SIGINT to the whole
// process group) stops the bot itself, once, with its writes done, and npm exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClaimDecisionNotice } from '../../src/core/notices.js';
import { readStore, Store } from '../../src/store/store.js';
import { StubConnector } from '../support/connector.js';
import { conversation, seededStore } from '../support/notify.js';
import { stopAll } from '../support/ready.js';
import { childTmp, tempDb } from '../support/temp.js';

/** Every process started below `root`, read from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces: the fields after it are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => (children.get(pid) ?? []).forEach((child) => (found.push(child), walk(child)));
  walk(root);
  return found;
}

/** Still running: present and not a zombie waiting for its parent. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

interface Started {
  npm: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The processes npm started for the bot, while it runs. */
  bot: number[];
}

const started: number[] = [];
const npms: ChildProcess[] = [];
let connector: StubConnector | undefined;
afterEach(async () => {
  // Whatever a failed run left behind, by the ids this test started; a process gone at SIGKILL writes
  // no more, and npm's own exit is awaited, before the file's temp folders are removed.
  for (const pid of started.splice(0)) if (running(pid)) process.kill(pid, 'SIGKILL');
  await stopAll(npms);
  await connector?.stop();
  connector = undefined;
});

/** `npm start` in its own process group, as a terminal or a container runs it, until its ready line. */
async function npmStart(db: string): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...childTmp(), PORT: '0', DB_FILE: db, LOG_LEVEL: 'info' };
  // Set empty rather than removed: a developer's .env cannot fill them in (the real environment wins).
  for (const key of ['MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppType', 'MicrosoftAppTenantId']) env[key] = '';
  const npm = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.push(npm.pid!);
  npms.push(npm);
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /bot ready on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(output);
      if (ready) resolve(ready[1]!);
    };
    npm.stdout!.on('data', look);
    npm.stderr!.on('data', look);
    void exited.then(({ code, signal }) => reject(new Error(`npm start ended with ${code ?? signal} before it was ready:\n${output.slice(-2000)}`)));
  });
  const bot = descendants(npm.pid!);
  started.push(...bot);
  return { npm, url, output: () => output, exited, bot };
}

/** Eve joins through the bot (her e-mail from the connector's Teams roster): a write the stop must keep. */
async function join(url: string, teams: StubConnector): Promise<void> {
  teams.users.set('29:eve', { id: '29:eve', name: 'Eve', aadObjectId: 'aad-eve', email: 'eve@example.com' });
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', id: 'a1', channelId: 'msteams', serviceUrl: teams.url,
      from: { id: '29:eve', aadObjectId: 'aad-eve', name: 'Eve' }, recipient: { id: '28:bot' },
      conversation: { id: 'conv-eve', conversationType: 'personal' }, text: 'join',
    }),
  });
  expect(response.status).toBe(200);
}

/** Resolves once the output matches `pattern`; fails if npm exits first. */
function outputMatches(run: Started, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const look = () => {
      if (!pattern.test(run.output())) return;
      run.npm.stdout!.off('data', look);
      resolve();
    };
    run.npm.stdout!.on('data', look);
    look();
    void run.exited.then(({ code, signal }) => reject(new Error(`npm ended with ${code ?? signal} before ${pattern}:\n${run.output().slice(-2000)}`)));
  });
}

/** npm exited 0, no process it started runs on, the bot stopped once, and the store opens for writing at once. */
async function expectStoppedCleanly(run: Started, db: string): Promise<void> {
  expect(await run.exited).toEqual({ code: 0, signal: null });
  expect(run.bot.filter(running).map(commandLine)).toEqual([]);
  expect(run.output().match(/"msg":"stopping/g)).toHaveLength(1);
  expect(run.output().match(/"msg":"stopped"/g)).toHaveLength(1);
  await (await Store.open(db, { command: 'npm start test' })).close();
}

describe('npm start', () => {
  it('stops the bot on SIGTERM to the npm process, its writes done, and npm exits 0', async () => {
    connector = await new StubConnector().start();
    const db = tempDb('npm-start-');
    const run = await npmStart(db);
    expect(run.bot.map(commandLine)).toContainEqual(expect.stringContaining('dist/main.js'));
    await join(run.url, connector);
    process.kill(run.npm.pid!, 'SIGTERM');
    await expectStoppedCleanly(run, db);
    expect((await readStore(db)).member('aad-eve')?.email).toBe('eve@example.com');
  }, 180_000);

  it('stops once on Ctrl-C (npm and the bot both signalled) and a SIGTERM while stopping, finishing the send in flight', async () => {
    // A claim decision waits in the outbox: the pass at start sends it, and the connector holds its
    // answer, so the bot is still stopping when the second signal comes.
    connector = await new StubConnector().start();
    let release = () => {};
    connector.hold = new Promise((resolve) => (release = resolve));
    let received = () => {};
    const sending = new Promise<void>((resolve) => (received = resolve));
    connector.respond = () => (received(), undefined);
    const db = tempDb('npm-start-');
    const seeded = await seededStore([{ type: 'member', id: 'eve', email: 'eve@example.com', name: 'Eve', signedUpAt: new Date().toISOString().slice(0, 10) }], db);
    const decision: ClaimDecisionNotice = {
      id: 'claim-decision:claim-1:eve', memberId: 'eve', kind: 'claim-decision', createdAt: new Date().toISOString(),
      delivery: 'pending', attempts: 0, claimId: 'claim-1', status: 'approved', points: 250,
    };
    await seeded.transact((tx) => {
      tx.put(['conversations', conversation('eve', connector!.url)]);
      tx.put(['notifications', decision]);
    });
    await seeded.close();

    const run = await npmStart(db);
    await sending;
    // A terminal's Ctrl-C: SIGINT to every process of the group, which npm also passes on to the bot.
    process.kill(-run.npm.pid!, 'SIGINT');
    await outputMatches(run, /"msg":"stopping/);
    // npm waits for the bot, which waits for the answer held above.
    expect(running(run.npm.pid!)).toBe(true);
    process.kill(run.npm.pid!, 'SIGTERM');
    await outputMatches(run, /"signal":"SIGTERM","msg":"already stopping"/);
    release();
    await expectStoppedCleanly(run, db);
    expect((await readStore(db)).notifications.get(decision.id)).toMatchObject({ delivery: 'sent', attempts: 1 });
    expect(connector.sent()).toHaveLength(1);
  }, 180_000);
});
