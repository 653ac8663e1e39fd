// npm run bench: the ledger export at program scale (10,000 members, 200,000 entries), to a file in CSV
// and in JSON Lines, as `cli export ledger --out FILE` writes it. Each run is its own process with the
// CLI's heap budget: one that only loads the store, and one per format that loads it and exports. The
// export must write at least 100,000 rows a second and take no more memory than the load did, within
// a stated margin: its peak RSS at most the load's + 16 MiB, its live heap at most the heap the loaded
// store holds + 16 MiB. The machine may be shared: the load average is printed, and the rate is also
// given per CPU second the process had.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { loadCatalog } from '../src/catalog-file.js';
import { toFile } from '../src/cli/export.js';
import { DEFAULT_RULES_FILE } from '../src/config.js';
import { writeExport } from '../src/services/exports.js';
import { readStore } from '../src/store/store.js';
import { generate } from './generate.js';
import { buildPhase, PHASE_SCRIPT } from './run-phase.js';
import { benchFolder } from './temp-folder.js';

const MARGIN_MIB = 16;
const RUNS = 3;
const MIB = 2 ** 20;

const heapMiB = () => process.memoryUsage().heapUsed / MIB;
const rssMiB = () => process.resourceUsage().maxRSS / 1024;

/**
 * One measured process: `load` only loads the store; `csv` and `jsonl` load it and export the ledger to
 * `out`, timed; `csv-heap` and `jsonl-heap` do the same collecting garbage every 20,000 rows, to see the
 * heap the export keeps alive (untimed: the collections slow it down).
 */
async function phase(name: string, db: string, out: string): Promise<Record<string, number>> {
  const catalog = loadCatalog(DEFAULT_RULES_FILE);
  const started = performance.now();
  const state = await readStore(db);
  const loadMs = performance.now() - started;
  // The heap the loaded store holds: collected first, so only what is still in use is counted.
  global.gc!();
  const loadedHeap = heapMiB();
  if (name === 'load') return { loadMs, loadedHeapMiB: loadedHeap, rssMiB: rssMiB() };
  const [format, sampling] = name.split('-');
  let liveHeap = loadedHeap;
  const onRow = (done: number) => {
    if (sampling && done % 20_000 === 0) {
      global.gc!();
      liveHeap = Math.max(liveHeap, heapMiB());
    }
  };
  const cpu = process.cpuUsage();
  const exportStarted = performance.now();
  const rows = await toFile(out, false, async (stream) => {
    const result = await writeExport(state, catalog, { kind: 'ledger', format }, stream, { now: Date.now(), onRow });
    if (!result.ok) throw new Error(result.problem.message);
    return result.value.rows;
  });
  const exportMs = performance.now() - exportStarted;
  const { user, system } = process.cpuUsage(cpu);
  return {
    loadMs,
    loadedHeapMiB: loadedHeap,
    rows,
    rowsPerSecond: rows / (exportMs / 1000),
    // Rows per second of CPU the process was given: what a machine not shared with other work does.
    rowsPerCpuSecond: rows / ((user + system) / 1e6),
    liveHeapMiB: liveHeap,
    rssMiB: rssMiB(),
    bytes: statSync(out).size,
  };
}

const [, , phaseName, phaseDb, phaseOut] = process.argv;
if (phaseName !== undefined) {
  console.log(JSON.stringify(await phase(phaseName, phaseDb!, phaseOut!)));
} else {
  const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
  const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 200_000);
  // Compiled, as `npm run cli` runs the product; the import phase is the store benchmark's.
  const build = (entry: string, outfile: string) =>
    buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'warning' });
  buildPhase();
  build('bench/export.bench.ts', 'dist/bench-export.js');

  const heap = `--max-old-space-size=${process.env.HEAP_LIMIT_MB ?? 256}`;
  const run = (script: string, args: string[]): Record<string, number> => {
    const child = spawnSync(process.execPath, [heap, '--expose-gc', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (child.status !== 0) throw new Error(`${script} ${args[0]} failed:\n${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
  };

  const { dir, done } = benchFolder('bench-export-');
  const source = join(dir, 'seed.jsonl');
  const db = join(dir, 'db.json');
  generate(source, MEMBERS, ENTRIES);
  run(PHASE_SCRIPT, ['import', db, source]);
  const load = Array.from({ length: RUNS }, () => run('dist/bench-export.js', ['load', db, '']));
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const loadRss = Math.max(...load.map((l) => l.rssMiB!));
  const loadHeap = Math.max(...load.map((l) => l.loadedHeapMiB!));

  console.log(`${MEMBERS} members, ${ENTRIES} entries; ${RUNS} processes per line; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log('| measure | result | target |\n|---|---|---|');
  console.log(`| store load alone: time (median), peak RSS, heap held | ${(median(load.map((l) => l.loadMs!)) / 1000).toFixed(2)} s, ${loadRss.toFixed(0)} MiB, ${loadHeap.toFixed(0)} MiB | |`);
  let failed = false;
  for (const format of ['csv', 'jsonl']) {
    const runs = Array.from({ length: RUNS }, (_, i) => run('dist/bench-export.js', [format, db, join(dir, `ledger-${i}.${format}`)]));
    const sampled = run('dist/bench-export.js', [`${format}-heap`, db, join(dir, `ledger-heap.${format}`)]);
    const rate = median(runs.map((r) => r.rowsPerSecond!));
    const cpuRate = median(runs.map((r) => r.rowsPerCpuSecond!));
    const rss = Math.max(...runs.map((r) => r.rssMiB!));
    const heldHeap = sampled.loadedHeapMiB!;
    const liveHeap = sampled.liveHeapMiB!;
    const rows = runs[0]!.rows!;
    const size = runs[0]!.bytes! / MIB;
    failed ||= rate < 100_000 || rss > loadRss + MARGIN_MIB || liveHeap > heldHeap + MARGIN_MIB;
    const rowsPerS = (n: number) => `${Math.round(n).toLocaleString('en-US')} rows/s`;
    console.log(`| ledger export, ${format} (${rows} rows, ${size.toFixed(1)} MiB): median rate, wall clock / per CPU second | ${rowsPerS(rate)} / ${rowsPerS(cpuRate)} | ≥ 100,000 rows/s |`);
    console.log(`| ledger export, ${format}: peak RSS of load + export (largest) | ${rss.toFixed(0)} MiB (load alone ${loadRss.toFixed(0)}, ${rss - loadRss >= 0 ? '+' : ''}${(rss - loadRss).toFixed(0)}) | ≤ load + ${MARGIN_MIB} MiB |`);
    console.log(`| ledger export, ${format}: live heap during the export (largest) | ${liveHeap.toFixed(0)} MiB (store held ${heldHeap.toFixed(0)}, +${(liveHeap - heldHeap).toFixed(1)}) | ≤ store + ${MARGIN_MIB} MiB |`);
  }
  console.log(`\nload average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}${failed ? '\nA target was missed.' : ''}`);
  await done();
}
