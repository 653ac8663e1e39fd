// npm run bench: the store and the scoring core at program scale (10,000 members, 200,000 entries).
// Each phase runs in its own process, as in production (the CLI imports; the bot loads, queries and
// writes), and reports its own peak RSS.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from './generate.js';
import { buildPhase, runPhase } from './run-phase.js';
import { benchFolder } from './temp-folder.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 200_000);

buildPhase();

const { dir, done } = benchFolder('bench-');
const source = join(dir, 'seed.jsonl');
const db = join(dir, 'db.json');
generate(source, MEMBERS, ENTRIES);
console.log(`${MEMBERS} members, ${ENTRIES} entries (${(statSync(source).size / 2 ** 20).toFixed(1)} MiB of JSON Lines)\n`);

const imported = runPhase('import', db, [source]);
const opened = runPhase('open', db);
// Three fresh processes, each loading once: the median time and the largest RSS.
const loads = [runPhase('load', db), runPhase('load', db), runPhase('load', db)].sort((a, b) => a.ms! - b.ms!);
const loaded = { ms: loads[1]!.ms!, rssMiB: Math.max(...loads.map((l) => l.rssMiB!)) };
const queried = runPhase('status', db);
const written = runPhase('write', db);
const bytes = readdirSync(dir)
  .filter((name) => name.startsWith('db.json'))
  .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
const peak = Math.max(...[imported, opened, loaded, queried, written].map((p) => p.rssMiB!));

const rows: [string, string, string][] = [
  ['import (one all-or-nothing batch, durable)', `${(imported.ms! / 1000).toFixed(2)} s`, '< 10 s'],
  ['first writer open (load + compaction)', `${(opened.ms! / 1000).toFixed(2)} s`, ''],
  ['store load (snapshot + journal, validated, indexed)', `${(loaded.ms! / 1000).toFixed(2)} s`, '< 2 s'],
  ['status query, median', `${queried.medianMs!.toFixed(3)} ms`, '< 1 ms'],
  ['status query, p99', `${queried.p99Ms!.toFixed(3)} ms`, ''],
  ['durable award (/award), single, p50 / p99', `${written.singleP50!.toFixed(2)} / ${written.singleP99!.toFixed(2)} ms`, 'p99 < 50 ms'],
  ['durable award (/award), 50 concurrent, p50 / p99', `${written.concurrentP50!.toFixed(2)} / ${written.concurrentP99!.toFixed(2)} ms`, 'p99 < 50 ms'],
  ['store size on disk', `${(bytes / 2 ** 20).toFixed(1)} MiB`, ''],
  ['peak RSS (largest phase)', `${peak.toFixed(0)} MiB (${((peak * 2 ** 20) / 1e6).toFixed(0)} MB)`, '< 300 MB'],
];
console.log('| measure | result | target |\n|---|---|---|');
for (const [what, value, target] of rows) console.log(`| ${what} | ${value} | ${target} |`);
console.log(`\nRSS per phase (MiB): ${['import', 'open', 'load', 'status', 'write'].map((n, i) => `${n} ${[imported, opened, loaded, queried, written][i]!.rssMiB!.toFixed(0)}`).join(', ')}`);
await done();
