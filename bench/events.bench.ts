// Events accepted per second through POST /api/events, signed, each answer given only once the batch
// is durable: batches of 100 and of 1, against the bot process on the program-scale store.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { sign } from '../src/events/signature.js';
import { startUntilReady } from '../test/support/ready.js';
import { generate } from './generate.js';
import { benchFolder } from './temp-folder.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const SECRET = 'bench-secret-0123456789abcdef';

const children: ChildProcess[] = [];
const { dir, done } = benchFolder('events-bench-', children);
const db = join(dir, 'db.json');
generate(join(dir, 'seed.jsonl'), MEMBERS, ENTRIES);
const built = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
if (built.status !== 0) throw new Error('build failed');
const imported = spawnSync(process.execPath, ['dist/cli.js', '--db', db, 'import', join(dir, 'seed.jsonl')], { encoding: 'utf8' });
if (imported.status !== 0) throw new Error(imported.stderr);

const heap = `--max-old-space-size=${process.env.HEAP_LIMIT_MB ?? 256}`;
const url = await startUntilReady(
  [process.execPath, heap, 'dist/main.js'],
  // The rate limit is the operator's choice; here it is out of the way to measure the store.
  { DB_FILE: db, PORT: '0', LOG_LEVEL: 'info', EVENTS_SECRET: SECRET, EVENTS_RATE: '10000', EVENTS_BURST: '10000', NOTIFY_EVERY: 'off' },
  /"url":"(http:\/\/127\.0\.0\.1:\d+)"/,
  children,
);

let next = 0;
function body(size: number): string {
  const records = [];
  for (let i = 0; i < size; i += 1) {
    const n = next++;
    records.push({ type: 'credit', id: `event-${n}`, member: `member-${(n * 7919) % MEMBERS}`, action: 'qa.answer', at: '2026-11-20T10:00:00Z' });
  }
  return JSON.stringify({ records });
}

async function load(size: number) {
  const result = await autocannon({
    url: `${url}/api/events`,
    connections: CONNECTIONS,
    duration: SECONDS,
    method: 'POST',
    requests: [
      {
        setupRequest: (request) => {
          const text = body(size);
          const timestamp = String(Math.floor(Date.now() / 1000));
          return { ...request, body: text, headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature-256': sign(SECRET, timestamp, text) } };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors`);
  return { batches: result.requests.average, events: result.requests.average * size, p50: result.latency.p50, p99: result.latency.p99 };
}

await load(10); // warm-up
const hundreds = await load(100);
const ones = await load(1);
const health = (await (await fetch(`${url}/healthz`)).json()) as { entries: number };

console.log(`\nPOST /api/events, ${CONNECTIONS} connections, ${SECONDS} s each, ${MEMBERS} members and ${ENTRIES} entries loaded; each answer after the batch is durable\n`);
console.log('| batch size | batches/s | events/s | p50 | p99 |\n|---|---|---|---|---|');
for (const [size, r] of [[100, hundreds], [1, ones]] as const) {
  console.log(`| ${size} | ${r.batches.toFixed(0)} | ${r.events.toFixed(0)} | ${r.p50} ms | ${r.p99} ms |`);
}
console.log(`\nledger entries at the end: ${health.entries}`);
await done();
process.exit(0);
