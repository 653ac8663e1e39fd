// /points through the real bot process against the program-scale store, side by side with the limit
// (a bare restify handler doing the same inbound request plus one outbound reply POST) and the SDK's
// floor (botbuilder's CloudAdapter replying one fixed card). The machine's load moves all three, so
// each round measures the three one after the other and the ratios are what compare across runs.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { startUntilReady } from '../test/support/ready.js';
import { generate } from './generate.js';
import { CONVERSATIONS, pointsLoad, settle, type Measure, type Server } from './points-load.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Requests each server answers before the rounds: a count, not a time, so a busy machine warms up as much. */
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 5_000);
/** The bot's share of the SDK floor and its p99 that /points must reach (issue 13). */
const TARGET = { ofFloor: 0.7, p99Ms: 100 };

const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'bot-bench-'));
process.on('exit', () => {
  children.forEach((child) => child.kill('SIGKILL'));
  rmSync(dir, { recursive: true, force: true });
});
// Ctrl-C ends the run through 'exit' too, so the servers stop and the folder goes.
process.on('SIGINT', () => process.exit(130));

const run = (args: string[], env: NodeJS.ProcessEnv, ready: RegExp) => startUntilReady([process.execPath, ...args], env, ready, children);

const load = (server: Server, connector: string, amount?: number) => pointsLoad([server], connector, { members: MEMBERS, seconds: SECONDS, ...(amount !== undefined && { amount }) });

const startLoad = loadavg();
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
const lastPid = () => children.at(-1)!.pid!;
const bot: Server = { url: await run([heap, 'dist/main.js'], { DB_FILE: db, PORT: '0', LOG_LEVEL: 'info' }, /"url":"(http:\/\/127\.0\.0\.1:\d+)"/), pid: lastPid() };
const bare: Server = { url: `http://127.0.0.1:${await run(['dist/bench-bare.js'], {}, /"port":(\d+)/)}`, pid: lastPid() };
const echo: Server = { url: `http://127.0.0.1:${await run(['dist/bench-echo.js'], {}, /"port":(\d+)/)}`, pid: lastPid() };

// A warm-up run of each (the JIT settles, the bot's store compacts), then the measured rounds.
await load(bare, connector, WARM_UP);
await load(echo, connector, WARM_UP);
await load(bot, connector, WARM_UP);
await settle(bot);

interface Round {
  load: number;
  limit: Measure;
  floor: Measure;
  bot: Measure;
}
const rounds: Round[] = [];
for (let i = 0; i < ROUNDS; i += 1) {
  const load1 = loadavg()[0]!;
  rounds.push({ load: load1, limit: await load(bare, connector), floor: await load(echo, connector), bot: await load(bot, connector) });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
type Row = Record<'load' | 'limit' | 'floor' | 'bot' | 'ofFloor' | 'ofLimit' | 'botP50' | 'botP99' | 'floorP99' | 'floorCpu' | 'botCpu', number>;
const row = (name: string, r: Row) =>
  `| ${name} | ${r.load.toFixed(2)} | ${r.limit.toFixed(0)} | ${r.floor.toFixed(0)} | ${r.bot.toFixed(0)} | **${r.ofFloor.toFixed(2)}** | ${r.ofLimit.toFixed(2)} | ${r.botP50} ms | ${r.botP99} ms | ${r.floorP99} ms | ${r.floorCpu.toFixed(2)} / ${r.botCpu.toFixed(2)} ms (${(r.floorCpu / r.botCpu).toFixed(2)}) |`;
const flat: Row[] = rounds.map((r) => ({
  load: r.load,
  limit: r.limit.rps,
  floor: r.floor.rps,
  bot: r.bot.rps,
  ofFloor: r.bot.rps / r.floor.rps,
  ofLimit: r.floor.rps / r.limit.rps,
  botP50: r.bot.p50,
  botP99: r.bot.p99,
  floorP99: r.floor.p99,
  floorCpu: r.floor.cpuPerRequest,
  botCpu: r.bot.cpuPerRequest,
}));

console.log(`\n/points, ${CONVERSATIONS} concurrent conversations, ${SECONDS} s each after ${WARM_UP} requests of warm-up, ${MEMBERS} members and ${ENTRIES} entries in the store`);
console.log(`load average at the start: ${startLoad.map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) on ${availableParallelism()} cores\n`);
console.log('limit: bare restify + one reply POST; floor: botbuilder CloudAdapter replying one fixed card (the SDK alone); bot: the bot answering /points with the status card\n');
console.log('| round | load | limit req/s | floor req/s | bot req/s | bot/floor | floor/limit | bot p50 | bot p99 | floor p99 | CPU a request, floor / bot (ratio) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
flat.forEach((r, i) => console.log(row(String(i + 1), r)));
// Each column's median on its own: the median row is not one of the rounds.
const mid = Object.fromEntries(Object.keys(flat[0]!).map((key) => [key, median(flat.map((r) => r[key as keyof Row]))])) as Row;
if (rounds.length > 1) console.log(row('median', mid));
const met = mid.ofFloor >= TARGET.ofFloor && mid.botP99 < TARGET.p99Ms;
console.log(`\ntarget: bot ≥ ${TARGET.ofFloor} of the floor, p99 < ${TARGET.p99Ms} ms; the median round: ${mid.ofFloor.toFixed(2)} of the floor, p99 ${mid.botP99} ms (${met ? 'met' : 'not met'})`);
process.exit(0);
