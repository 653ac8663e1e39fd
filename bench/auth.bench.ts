// The bot endpoint in auth mode under 100 forged or unauthenticated requests at once, with the Bot
// Framework key source serving keys, down (a closed port) and never answering: every answer's status
// and time, and what reached the Bot Connector (nothing may).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateKeyPair, SignJWT } from 'jose';
import { closedMetadataUrl, KeyServer } from '../test/server/key-server.js';
import { StubConnector } from '../test/support/connector.js';
import { startUntilReady } from '../test/support/ready.js';
import { benchFolder } from './temp-folder.js';

const APP_ID = '0b6b0a7e-2f63-4c1e-9d1a-3c5e8f1a2b4c';
const REQUESTS = 100;
const ISSUER = 'https://api.botframework.com';

const children: ChildProcess[] = [];

const built = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
if (built.status !== 0) throw new Error('build failed');

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unknown = await generateKeyPair('RS256');
const now = Math.floor(Date.now() / 1000);
const claims = { iss: ISSUER, aud: APP_ID, serviceurl: 'https://smba.trafficmanager.net/emea/' };

/** The forgeries an outsider can make without Bot Framework's private key, and no token at all. */
const forgeries: (string | null)[] = [
  null,
  'not.a.token',
  `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: now + 600 })}.`,
  await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now + 600).sign(new TextEncoder().encode('guessed-secret-guessed-secret-32')),
  await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'no-such-key' }).setExpirationTime(now + 600).sign(unknown.privateKey),
  await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'no-such-key' }).setExpirationTime(now - 3600).sign(unknown.privateKey),
];

async function measure(label: string, metadataUrl: string): Promise<void> {
  const connector = await new StubConnector().start();
  const { dir, done } = benchFolder('auth-bench-', children);
  try {
    const url = await startUntilReady(
      [process.execPath, 'dist/main.js'],
      { PORT: '0', LOG_LEVEL: 'info', DB_FILE: join(dir, 'db.json'), MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used', MicrosoftAppType: 'MultiTenant', BOT_OPENID_METADATA_URL: metadataUrl, NOTIFY_EVERY: 'off' },
      /DevOps Points bot ready on (http:\/\/[^/]+)/,
      children,
    );
    const activity = JSON.stringify({ type: 'message', id: 'a', channelId: 'msteams', serviceUrl: connector.url, from: { id: '29:x', aadObjectId: 'aad-admin' }, recipient: { id: `28:${APP_ID}` }, conversation: { id: 'c' }, text: 'award ann qa.answer' });
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const token = forgeries[i % forgeries.length];
        const t0 = performance.now();
        const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token !== null && { authorization: `Bearer ${token}` }) }, body: activity });
        const json = /^application\/json/.test(response.headers.get('content-type') ?? '');
        await response.text();
        return { status: response.status, json, ms: performance.now() - t0 };
      }),
    );
    const statuses = Object.fromEntries([...new Set(answers.map((a) => a.status))].map((s) => [s, answers.filter((a) => a.status === s).length]));
    const slowest = Math.max(...answers.map((a) => a.ms));
    console.log(`${label}: ${REQUESTS} requests in ${Math.round(performance.now() - started)} ms; statuses ${JSON.stringify(statuses)}; all JSON: ${answers.every((a) => a.json)}; slowest answer ${Math.round(slowest)} ms; requests reaching the connector: ${connector.requests.length}`);
  } finally {
    await done();
    await connector.stop();
  }
}

const serving = await new KeyServer().start();
serving.keys = [];
await measure('keys served', serving.metadataUrl);
await serving.stop();
await measure('key source down', await closedMetadataUrl());
const hanging = await new KeyServer().start();
hanging.mode = 'hang';
await measure('key source never answers', hanging.metadataUrl);
await hanging.stop();
process.exit(0);
