// npm start's process: starts on an empty store with no set-up, answers, and stops cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readPgStore } from '../../src/store/pg-store.js';
import { readStore } from '../../src/store/store.js';
import { StubConnector } from '../support/connector.js';
import { describeWithPostgres, postgresAvailable, postgresPerFile } from '../support/postgres.js';
import { stopAll } from '../support/ready.js';
import { childTmp, tempDb } from '../support/temp.js';

let child: ChildProcess | undefined;
const started: ChildProcess[] = [];
let connector: StubConnector | undefined;
afterEach(async () => {
  await stopAll(started);
  await connector?.stop();
});

function start(env: Record<string, string>): Promise<{ url: string; output: () => string }> {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, ...childTmp(), PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (ready) resolve({ url: ready[1]!, output: () => output });
    });
    child!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child!.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

const postgres = postgresAvailable ? postgresPerFile() : undefined;

const exited = (process: ChildProcess) => new Promise<number | null>((resolve) => process.once('exit', (code) => resolve(code)));

/** Eve writes "join" to the bot at url, through the connector at serviceUrl. */
function eveJoins(url: string, serviceUrl: string): Promise<Response> {
  return fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: 'a1',
      channelId: 'msteams',
      serviceUrl,
      from: { id: '29:eve', aadObjectId: 'aad-eve', name: 'Eve' },
      recipient: { id: '28:bot' },
      conversation: { id: 'conv-eve' },
      text: 'join',
    }),
  });
}

describe('the bot process', () => {
  it('runs on a new store in local mode, answers, and on SIGTERM finishes its writes and exits 0', async () => {
    connector = await new StubConnector().start();
    connector.users.set('29:eve', { id: '29:eve', name: 'Eve', aadObjectId: 'aad-eve', email: 'eve@example.com' });
    const db = tempDb('main-');
    const { url } = await start({ DB_FILE: db });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok', members: 0, entries: 0 });
    expect((await eveJoins(url, connector.url)).status).toBe(200);
    const stopped = exited(child!);
    child!.kill('SIGTERM');
    expect(await stopped).toBe(0);
    expect(existsSync(`${db}.lock`)).toBe(false);
    expect((await readStore(db)).member('aad-eve')?.email).toBe('eve@example.com');
  });

  it('refuses to start with a sentence when the configuration is wrong', async () => {
    const db = tempDb('main-');
    const output = await start({ DB_FILE: db, PORT: 'eighty' }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(output).toContain('exited with 1');
    expect(output).toContain('PORT must be a port number from 0 to 65535, not "eighty".');
  });

  it('starts with a user-assigned managed identity without reaching Azure, and refuses a request without a token with 401', async () => {
    // An identity endpoint that must stay unasked: the token is fetched when the bot first sends.
    const asked: string[] = [];
    const identity = createServer((req, res) => (asked.push(req.url ?? ''), res.writeHead(500).end()));
    await new Promise<void>((resolve) => identity.listen(0, '127.0.0.1', resolve));
    const db = tempDb('main-');
    try {
      const { url, output } = await start({
        DB_FILE: db,
        MicrosoftAppId: '5f0c2b8e-1d3a-4c6b-9e7f-2a1b3c4d5e6f',
        MicrosoftAppType: 'UserAssignedMSI',
        MicrosoftAppTenantId: '7d3a9c1e-5b2f-4e8a-9c6d-1f0e2d3c4b5a',
        IDENTITY_ENDPOINT: `http://127.0.0.1:${(identity.address() as AddressInfo).port}/msi/token`,
        IDENTITY_HEADER: 'identity-header-for-tests',
      });
      const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'no-token' });
      expect(output()).toContain('"local":false');
      const stopped = exited(child!);
      child!.kill('SIGTERM');
      expect(await stopped).toBe(0);
      expect(asked).toEqual([]);
    } finally {
      identity.closeAllConnections();
      await new Promise((resolve) => identity.close(resolve));
    }
  });

  it('refuses to start when another process holds the store', async () => {
    const db = tempDb('main-');
    await start({ DB_FILE: db });
    const second = await start({ DB_FILE: db }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(second).toContain('exited with 1');
    expect(second).toMatch(/already open for writing by process \d+ \(npm start/);
  });
});

describeWithPostgres('the bot process on PostgreSQL (DATABASE_URL)', () => {
  it('runs beside a second process on one database, which sees its write, and stops cleanly', async () => {
    connector = await new StubConnector().start();
    connector.users.set('29:eve', { id: '29:eve', name: 'Eve', aadObjectId: 'aad-eve', email: 'eve@example.com' });
    // The test server trusts every connection: the password is never asked for, only never to be logged.
    const url = new URL(await postgres!.fresh());
    url.password = 's3cret-password';
    const env = { DATABASE_URL: url.href, DB_FILE: tempDb('unused-') };
    const first = await start(env);
    const firstProcess = child!;
    const second = await start(env);
    expect((await eveJoins(first.url, connector.url)).status).toBe(200);
    // The second process learns of the write from the database; the bound only catches one that never comes.
    for (const end = Date.now() + 30_000; ; ) {
      const health = (await (await fetch(`${second.url}/healthz`)).json()) as { members: number };
      if (health.members === 1) break;
      if (Date.now() > end) throw new Error('the second process never saw the first one\'s write');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(second.output()).toContain('"store":"postgres://postgres:***@127.0.0.1:');
    expect(first.output() + second.output()).not.toContain('s3cret');
    const stopped = exited(firstProcess);
    firstProcess.kill('SIGTERM');
    expect(await stopped).toBe(0);
    expect((await readPgStore(env.DATABASE_URL)).member('aad-eve')?.email).toBe('eve@example.com');
    expect(existsSync(env.DB_FILE)).toBe(false);
  });
});
