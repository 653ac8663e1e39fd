// npm run bench: the PostgreSQL store beside the JSON store at program scale (10,000 members, 200,000
// entries), in one table: import, start, status, durable awards, the notification planning pass and
// /points with one bot instance and with two. The store phases run in their own processes
// (bench/phase.ts) against a private PostgreSQL cluster this benchmark starts and removes.
//
// Two instances: the JSON store has one writer process, so only PostgreSQL runs two bots on one store.
// Both are driven by the one autocannon client of the one-instance runs, its connections given to the
// instances in turn: the client's own cost is the same in both runs, so the ratio measures the servers.
// On 2 cores the client, the stub connector and PostgreSQL take CPU too: the CPU table says how much.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import pg from 'pg';
import { findPostgres, startCluster } from '../test/support/postgres-cluster.js';
import { startUntilReady, stopped } from '../test/support/ready.js';
import { generate } from './generate.js';
import { cpuMs, pointsLoad, settle, type Measure, type Server } from './points-load.js';
import { buildPhase, runPhase } from './run-phase.js';
import { benchFolder } from './temp-folder.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** Requests each bot answers before the rounds: a count, not a time, so a busy machine warms up as much. */
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 2_000);
/** Concurrent awards in the second write measure. */
const WRITERS = 8;
const TARGET = { awardP99Ms: 50, twoOverOne: 1.6 };

const bin = findPostgres();
if (!bin) throw new Error('PostgreSQL is not installed: no initdb, pg_ctl and postgres on the PATH or in /usr/lib/postgresql/*/bin (apt-get install -y postgresql)');

const startLoad = loadavg();
const began = performance.now();
const children: ChildProcess[] = [];
const { dir, done } = benchFolder('pg-bench-', children);
const source = join(dir, 'seed.jsonl');
generate(source, MEMBERS, ENTRIES);
const built = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
if (built.status !== 0) throw new Error('build failed');
buildPhase();
buildSync({ entryPoints: { 'bench-connector': 'bench/stub-connector.ts' }, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outdir: 'dist', logLevel: 'warning' });

/** The cluster's server process and folder, read from the server itself. */
async function serverOf(url: string): Promise<{ pid: number; folder: string }> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const { rows } = await client.query<{ setting: string }>("SELECT current_setting('data_directory') AS setting");
    const data = rows[0]!.setting;
    return { pid: Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]), folder: dirname(data) };
  } finally {
    await client.end();
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const cluster = await startCluster(bin);
const postgres = await serverOf(cluster.url).catch(async (error: unknown) => {
  await cluster.stop();
  throw error;
});
// A run that fails or is interrupted ends without awaiting cluster.stop(): the server is then stopped
// here, synchronously (SIGQUIT is PostgreSQL's immediate shutdown), and its folder removed.
process.on('exit', () => {
  if (alive(postgres.pid)) {
    process.kill(postgres.pid, 'SIGQUIT');
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (const end = Date.now() + 10_000; alive(postgres.pid) && Date.now() < end; ) Atomics.wait(nap, 0, 0, 10);
  }
  rmSync(postgres.folder, { recursive: true, force: true, maxRetries: 5 });
});

/** CPU ms of every process of the PostgreSQL server (the postmaster and its children), by pid. */
function postgresCpu(): Map<number, number> {
  const used = new Map<number, number>([[postgres.pid, cpuMs(postgres.pid)]]);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const fields = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(fields[1]) === postgres.pid) used.set(Number(name), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The process ended while the folder was read.
    }
  }
  return used;
}

/** CPU ms the whole machine has spent busy (not idle, not waiting for the disk), from /proc/stat. */
function machineBusyMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks as number[];
  return (user! + nice! + system! + irq! + softirq! + steal!) * 10;
}

/** Peak RSS of a running process in MiB (VmHWM). */
function peakRssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

interface StoreMeasures {
  import: Record<string, number>;
  status: Record<string, number>;
  write: Record<string, number>;
  plan: Record<string, number>;
}

/** Where the cores went during a /points run: each part's CPU time over the run's wall time, in cores. */
interface CpuShare {
  client: number;
  bots: number;
  /** The busiest bot's share: one bot is one event loop, so near 1 it has all it can use. */
  busiest: number;
  connector: number;
  postgres: number;
  /** Everything else on the machine: other work, this benchmark excluded. */
  others: number;
}

type Run = Measure & { cpu: CpuShare };

const line = (title: string) => console.log(`\n${title}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ms = (value: number, digits = 2) => `${value.toFixed(digits)} ms`;
const mib = (value: number) => `${value.toFixed(0)} MiB`;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

try {
  const where = { json: join(dir, 'db.json'), pg: cluster.url };
  console.log(`${MEMBERS} members, ${ENTRIES} entries (${(statSync(source).size / 2 ** 20).toFixed(1)} MiB of JSON Lines); load average at the start ${startLoad.map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min) on ${availableParallelism()} cores`);

  const stores = {} as Record<'json' | 'pg', StoreMeasures>;
  for (const kind of ['json', 'pg'] as const) {
    line(`${kind === 'json' ? 'JSON store' : 'PostgreSQL'}: import, status, awards, planning pass…`);
    stores[kind] = {
      import: runPhase('import', where[kind], [source]),
      status: runPhase('status', where[kind]),
      write: runPhase('write', where[kind], [String(WRITERS)]),
      plan: runPhase('plan', where[kind]),
    };
  }

  // /points: every bot on its store as `npm start` runs it, one stub connector for all.
  line('/points: starting the bots…');
  const connectorPort = await startUntilReady([process.execPath, 'dist/bench-connector.js'], {}, /"port":(\d+)/, children);
  const connector = `http://127.0.0.1:${connectorPort}/`;
  const connectorPid = children.at(-1)!.pid!;
  const heap = `--max-old-space-size=${process.env.HEAP_LIMIT_MB ?? 256}`;
  const startBot = async (env: NodeJS.ProcessEnv) => {
    const start = performance.now();
    const url = await startUntilReady([process.execPath, heap, 'dist/main.js'], { PORT: '0', LOG_LEVEL: 'info', ...env }, /bot ready on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/, children);
    const pid = children.at(-1)!.pid!;
    return { server: { url, pid } as Server, ms: performance.now() - start, rssMiB: peakRssMiB(pid) };
  };
  const jsonBot = await startBot({ DB_FILE: where.json });
  const pgBot = await startBot({ DATABASE_URL: where.pg });
  const pgBot2 = await startBot({ DATABASE_URL: where.pg });

  const measure = async (servers: Server[]): Promise<Run> => {
    const wall = performance.now();
    const client = process.cpuUsage();
    const bots = servers.map((s) => cpuMs(s.pid));
    const connectorCpu = cpuMs(connectorPid);
    const database = postgresCpu();
    const machine = machineBusyMs();
    const result = await pointsLoad(servers, connector, { members: MEMBERS, seconds: SECONDS });
    const elapsed = performance.now() - wall;
    const machineUsed = machineBusyMs() - machine;
    const clientUsed = process.cpuUsage(client);
    let postgresUsed = 0;
    for (const [pid, after] of postgresCpu()) postgresUsed += after - (database.get(pid) ?? 0);
    const each = servers.map((s, i) => cpuMs(s.pid) - bots[i]!);
    const used = {
      client: (clientUsed.user + clientUsed.system) / 1000,
      bots: each.reduce((sum, b) => sum + b, 0),
      connector: cpuMs(connectorPid) - connectorCpu,
      postgres: postgresUsed,
    };
    const ours = used.client + used.bots + used.connector + used.postgres;
    const cpu: CpuShare = {
      client: used.client / elapsed,
      bots: used.bots / elapsed,
      busiest: Math.max(...each) / elapsed,
      connector: used.connector / elapsed,
      postgres: used.postgres / elapsed,
      others: Math.max(0, machineUsed - ours) / elapsed,
    };
    return { ...result, cpu };
  };

  // A warm-up of each bot (the JIT settles, conversations are saved, the JSON store compacts, the first
  // notification pass runs), then rounds of the three runs one after the other, so the machine's load
  // moves them alike.
  line('/points: warming up…');
  for (const bot of [jsonBot, pgBot, pgBot2]) await pointsLoad([bot.server], connector, { members: MEMBERS, seconds: SECONDS, amount: WARM_UP });
  for (const bot of [jsonBot, pgBot, pgBot2]) await settle(bot.server);
  const rounds: { load: number; json: Run; one: Run; two: Run }[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    line(`/points: round ${i + 1} of ${ROUNDS}…`);
    const load1 = loadavg()[0]!;
    rounds.push({ load: load1, json: await measure([jsonBot.server]), one: await measure([pgBot.server]), two: await measure([pgBot.server, pgBot2.server]) });
  }
  await Promise.all(children.map((child) => stopped(child, 'SIGTERM')));

  // Each figure is the median over the rounds on its own.
  const mid = (pick: (r: (typeof rounds)[number]) => number) => median(rounds.map(pick));
  const ratio = mid((r) => r.two.rps / r.one.rps);
  const points = (run: 'json' | 'one' | 'two') => `${mid((r) => r[run].rps).toFixed(0)} req/s, p99 ${mid((r) => r[run].p99).toFixed(0)} ms`;
  const { json, pg: post } = stores;
  const both = (f: (m: StoreMeasures) => string): [string, string] => [f(json), f(post)];
  const rows: [string, string, string, string][] = [
    ['import, one all-or-nothing batch: time, peak RSS', ...both((m) => `${seconds(m.import.ms!)}, ${mib(m.import.rssMiB!)}`), ''],
    ['start: bot process spawned to ready (open + load), peak RSS', `${seconds(jsonBot.ms)}, ${mib(jsonBot.rssMiB)}`, `${seconds(pgBot.ms)}, ${mib(pgBot.rssMiB)} (second instance ${seconds(pgBot2.ms)}, ${mib(pgBot2.rssMiB)})`, ''],
    ['status from the memory view, p50 / p99', ...both((m) => `${ms(m.status.medianMs!, 3)} / ${ms(m.status.p99Ms!, 3)}`), 'from memory'],
    ['durable award, one writer, p50 / p99', ...both((m) => `${ms(m.write.singleP50!)} / ${ms(m.write.singleP99!)}`), `p99 < ${TARGET.awardP99Ms} ms`],
    [`durable award, ${WRITERS} concurrent writers, p50 / p99`, ...both((m) => `${ms(m.write.concurrentP50!)} / ${ms(m.write.concurrentP99!)}`), `p99 < ${TARGET.awardP99Ms} ms`],
    ['notification planning pass: first (a week) / every 15 min, median', ...both((m) => `${ms(m.plan.firstMs!, 0)} / ${ms(m.plan.medianMs!, 0)}`), '< 1 s'],
    ['/points, one instance', points('json'), points('one'), ''],
    ['/points, two instances, round-robin client', 'n/a: one writer process per store file', points('two'), ''],
    ['/points, two instances / one', 'n/a', `**${ratio.toFixed(2)}**`, `≥ ${TARGET.twoOverOne}`],
  ];
  line(`PostgreSQL beside the JSON store: ${MEMBERS} members, ${ENTRIES} entries; /points with 50 concurrent conversations, ${SECONDS} s a run, median of ${ROUNDS} rounds after ${WARM_UP} requests of warm-up a bot\n`);
  console.log('| measure | JSON store | PostgreSQL | target |\n|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log('\nRSS is the Node process\'s; PostgreSQL\'s own memory (its server processes) is not in it. Two instances: one autocannon, its connections given to the two bots in turn (autocannon\'s list of URLs), the same client as the one-instance runs.');

  line(`Where the ${availableParallelism()} cores went during the /points runs: each part's cores (CPU time over wall time) / CPU ms a request (median of the rounds; the client is this process, autocannon):\n`);
  console.log('| run | load (1 min) | client | bots, and the busiest bot alone (cores) | stub connector | PostgreSQL | rest of the machine, cores | idle, cores |\n|---|---|---|---|---|---|---|---|');
  const parts = ['client', 'bots', 'connector', 'postgres'] as const;
  const cores = availableParallelism();
  for (const [name, run] of [['JSON store, one bot', 'json'], ['PostgreSQL, one bot', 'one'], ['PostgreSQL, two bots', 'two']] as const) {
    const share = (key: keyof CpuShare) => mid((r) => r[run].cpu[key]);
    // CPU ms a request: the part's cores × 1000 / requests a second.
    const cell = (key: keyof CpuShare) => `${share(key).toFixed(2)} / ${((share(key) * 1000) / mid((r) => r[run].rps)).toFixed(2)} ms`;
    const idle = cores - parts.reduce((sum, key) => sum + share(key), 0) - share('others');
    const cells = parts.map((key) => (key === 'bots' ? `${cell(key)}, ${share('busiest').toFixed(2)}` : cell(key)));
    console.log(`| ${name} | ${mid((r) => r.load).toFixed(2)} | ${cells.join(' | ')} | ${share('others').toFixed(2)} | ${Math.max(0, idle).toFixed(2)} |`);
  }
  // One bot is one event loop, but not one core: the garbage collector's and libuv's threads run beside
  // it, so one bot alone already takes more than a core. Two bots can at most use every core at the CPU
  // a request the two-bot runs cost (theirs, plus the client's, the connector's and PostgreSQL's, which
  // grow with the requests): that rate over what one bot served is the most two/one can be here.
  const perRequest = (run: 'one' | 'two', key: keyof CpuShare) => mid((r) => (r[run].cpu[key] * 1000) / r[run].rps);
  const twoBots = perRequest('two', 'bots');
  const rest = perRequest('two', 'client') + perRequest('two', 'connector') + perRequest('two', 'postgres');
  const oneBotCores = mid((r) => r.one.cpu.bots);
  const oneRps = mid((r) => r.one.rps);
  const othersTwo = mid((r) => r.two.cpu.others);
  console.log(
    `\nceiling of two/one on ${cores} otherwise idle cores: one bot alone took ${oneBotCores.toFixed(2)} cores for ${oneRps.toFixed(0)} req/s; ` +
      `all ${cores} cores at the two-bot runs' CPU a request (bots ${ms(twoBots)} + client, connector and PostgreSQL ${ms(rest)}) serve ${((cores * 1000) / (twoBots + rest)).toFixed(0)} req/s: ` +
      `${((cores * 1000) / (twoBots + rest) / oneRps).toFixed(2)} × one; the rest of the machine took ${othersTwo.toFixed(2)} cores during the two-bot runs`,
  );
  // With no core idle, each run got the share of the CPU the scheduler gave it among the other work.
  const idleTwo = cores - parts.reduce((sum, key) => sum + mid((r) => r.two.cpu[key]), 0) - othersTwo;
  if (idleTwo < 0.1 && othersTwo > 0.2) console.log(`no core was idle during the two-bot runs and other work took ${othersTwo.toFixed(2)} cores: the ratio measured is the CPU the machine left, not what two bots can do`);
  const award = Math.max(post.write.singleP99!, post.write.concurrentP99!);
  console.log(`\ntargets on PostgreSQL: durable award p99 ${ms(award)} (${award < TARGET.awardP99Ms ? 'met' : 'not met'}); two instances ${ratio.toFixed(2)} × one (${ratio >= TARGET.twoOverOne ? 'met' : 'not met: see the CPU table for where the cores went'}); the benchmark took ${seconds(performance.now() - began)}`);
} finally {
  await done();
  await cluster.stop();
}
process.exit(0);
