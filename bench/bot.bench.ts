// /points through the real bot process against the program-scale store, side by side with the limit:
// a bare restify handler doing the same inbound request plus one outbound reply POST.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { buildSync } from 'esbuild';
import { startUntilReady } from '../test/support/ready.js';
import { generate } from './generate.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 200_000);
const CONVERSATIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));

const run = (args: string[], env: NodeJS.ProcessEnv, ready: RegExp) => startUntilReady([process.execPath, ...args], env, ready, children);

function activity(connector: string, i: number) {
  const member = (i * 199) % MEMBERS;
  return JSON.stringify({
    type: 'message',
    id: `bench-${i}`,
    channelId: 'msteams',
    serviceUrl: connector,
    from: { id: `29:user-${member}`, aadObjectId: `member-${member}`, name: `Member ${member}` },
    recipient: { id: '28:bot', name: 'DevOps Points' },
    conversation: { id: `conversation-${i}`, conversationType: 'personal' },
    text: 'points',
  });
}

async function load(url: string, connector: string) {
  const bodies = Array.from({ length: CONVERSATIONS }, (_, i) => activity(connector, i));
  let next = 0;
  const result = await autocannon({
    url: `${url}/api/messages`,
    connections: CONVERSATIONS,
    duration: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total };
}

const dir = mkdtempSync(join(tmpdir(), 'bot-bench-'));
const db = join(dir, 'db.json');
generate(join(dir, 'seed.jsonl'), MEMBERS, ENTRIES);
buildSync({ entryPoints: { 'bench-bare': 'bench/bare-server.ts', 'bench-echo': 'bench/echo-bot.ts', 'bench-connector': 'bench/stub-connector.ts' }, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outdir: 'dist', logLevel: 'warning' });
const built = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
if (built.status !== 0) throw new Error('build failed');
const imported = spawnSync(process.execPath, ['dist/cli.js', '--db', db, 'import', join(dir, 'seed.jsonl')], { encoding: 'utf8' });
if (imported.status !== 0) throw new Error(imported.stderr);

const connectorPort = await run(['dist/bench-connector.js'], {}, /"port":(\d+)/);
const connector = `http://127.0.0.1:${connectorPort}/`;
const heap = `--max-old-space-size=${process.env.HEAP_LIMIT_MB ?? 256}`;
const botUrl = await run([heap, 'dist/main.js'], { DB_FILE: db, PORT: '0', LOG_LEVEL: 'info' }, /"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
const barePort = await run(['dist/bench-bare.js'], {}, /"port":(\d+)/);
const bareUrl = `http://127.0.0.1:${barePort}`;
const echoUrl = `http://127.0.0.1:${await run(['dist/bench-echo.js'], {}, /"port":(\d+)/)}`;

// A warm-up run of each (the JIT settles), then the measured runs.
await load(bareUrl, connector);
await load(echoUrl, connector);
await load(botUrl, connector);
const bare = await load(bareUrl, connector);
const echo = await load(echoUrl, connector);
const bot = await load(botUrl, connector);

console.log(`\n/points, ${CONVERSATIONS} concurrent conversations, ${SECONDS} s each, ${MEMBERS} members and ${ENTRIES} entries in the store\n`);
console.log('| server | requests/s | p50 | p99 |\n|---|---|---|---|');
console.log(`| bare restify + one reply POST (the limit) | ${bare.rps.toFixed(0)} | ${bare.p50} ms | ${bare.p99} ms |`);
console.log(`| botbuilder CloudAdapter replying one fixed card (the SDK's floor) | ${echo.rps.toFixed(0)} | ${echo.p50} ms | ${echo.p99} ms |`);
console.log(`| the bot, /points status card | ${bot.rps.toFixed(0)} | ${bot.p50} ms | ${bot.p99} ms |`);
console.log(`\nthe bot: ${(bot.rps / bare.rps).toFixed(2)} of the limit (target at least 0.6), p99 ${bot.p99} ms (target < 100 ms); the SDK alone: ${(echo.rps / bare.rps).toFixed(2)} of the limit`);
process.exit(0);
