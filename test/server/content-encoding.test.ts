// Compressed request bodies against the real process: a broken gzip stream must not stop it, and a gzip
// bomb must not be inflated, on any route (415 with a JSON error, the process's memory unchanged).
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startUntilReady, stopAll } from '../support/ready.js';
import { childTmp, tempDb } from '../support/temp.js';

const started: ChildProcess[] = [];
afterEach(() => stopAll(started));

async function startBot(): Promise<{ url: string; child: ChildProcess }> {
  const db = tempDb('encoding-');
  const url = await startUntilReady(
    [process.execPath, '--import', 'tsx', 'src/main.ts'],
    { ...childTmp(), PORT: '0', LOG_LEVEL: 'info', DB_FILE: db, EVENTS_SECRET: 'a-long-shared-secret-for-tests', NOTIFY_EVERY: 'off' },
    /"url":"(http:\/\/127\.0\.0\.1:\d+)"/,
    started,
  );
  return { url, child: started.at(-1)! };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Any method with any body (fetch sends none with GET). An error after the answer (the server closed
 * the connection on the unread body) is not the test's concern. */
function send(url: string, method: string, path: string, headers: Record<string, string>, body: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(`${url}${path}`, { method, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(body);
  });
}

/** The resident memory of a process, from Linux's /proc. */
function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

const json = { 'content-type': 'application/json' };

// Each test starts the real process (tsx compiles it first): slow on a busy machine, hence the timeout.
describe('compressed request bodies', { timeout: 180_000 }, () => {
  it('answers a truncated gzip body with 415 and keeps running', async () => {
    const { url, child } = await startBot();
    const answer = await send(url, 'POST', '/api/messages', { ...json, 'content-encoding': 'gzip' }, 'x');
    expect(answer.status).toBe(415);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/Content-Encoding/) });
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(child.exitCode).toBeNull();
  });

  it('refuses a gzip bomb on every route with 415 and a JSON error, and its memory stays flat', async () => {
    const { url, child } = await startBot();
    // 50 MB of zeros: about 50 kB on the wire, well under the 256 kB body cap.
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(256 * 1024);
    await fetch(`${url}/healthz`);
    const before = rssBytes(child.pid!);
    const routes: [string, string, Record<string, string>][] = [
      ['POST', '/api/messages', { ...json, 'content-encoding': 'gzip' }],
      ['GET', '/healthz', { ...json, 'content-encoding': 'gzip' }],
      ['POST', '/api/events', { ...json, 'content-encoding': 'GZIP', 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature-256': `sha256=${'0'.repeat(64)}` }],
      ['GET', '/api/me/summary', { ...json, 'content-encoding': 'gzip, identity', authorization: 'Bearer x' }],
      ['POST', '/api/dev/sign-in', { ...json, 'content-encoding': 'deflate' }],
    ];
    for (let round = 0; round < 3; round += 1) {
      for (const [method, path, headers] of routes) {
        const answer = await send(url, method, path, headers, bomb);
        expect(answer.status, `${method} ${path}`).toBe(415);
        expect(answer.headers.connection, `${method} ${path}`).toBe('close');
        expect(JSON.parse(answer.body), `${method} ${path}`).toEqual({ error: expect.any(String) });
      }
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(child.exitCode).toBeNull();
    // A regression guard, not a measurement: inflating one bomb costs hundreds of MB.
    expect(rssBytes(child.pid!) - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('reads a body marked identity as it is', async () => {
    const { url } = await startBot();
    const answer = await send(url, 'POST', '/api/dev/sign-in', { ...json, 'content-encoding': 'Identity' }, JSON.stringify({ member: 'nobody@example.com' }));
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ error: 'No member with id or email "nobody@example.com".' });
  });
});
