// One phase of the benchmark, in its own process; prints one JSON line of measures. DB is a JSON store
// file or a postgres:// URL: each phase opens it as the bot and the CLI do (src/store/open-store.ts).
import { readFileSync } from 'node:fs';
import { loadCatalog } from '../src/catalog-file.js';
import { DEFAULT_RULES_FILE } from '../src/config.js';
import { memberStatus } from '../src/core/lifecycle.js';
import { importRecords, jsonLines } from '../src/services/import-records.js';
import { award } from '../src/services/ledger-admin.js';
import type { PointsStore } from '../src/store/contract.js';
import { openStore, readStoreAt } from '../src/store/open-store.js';

// SOURCE for import: the JSON Lines file; for write: the concurrent writers (50 unless given).
const [name, db, source] = process.argv.slice(2);
if (!name || !db) throw new Error('usage: phase NAME DB [SOURCE | WRITERS]');
const catalog = loadCatalog(DEFAULT_RULES_FILE);
const origin = { source: 'import' as const, by: 'bench' };
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
/** The instant the status and planning phases ask about: a few days after the generated data's end. */
const AT = Date.parse('2026-11-23T12:00:00Z');

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const rssMiB = () => process.resourceUsage().maxRSS / 1024;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

const admin = { userId: 'bench-admin', name: 'Bench', isAdmin: true };

/** An administrator's award, as /award makes it: planned on the view, resolved once durable. */
async function awardOne(store: PointsStore, member: string): Promise<number> {
  const start = performance.now();
  const result = await award({ store, catalog, now: () => Date.parse('2026-11-01T10:00:00Z') }, admin, { member, action: 'qa.answer' });
  if (!result.ok) throw new Error(JSON.stringify(result.problem));
  return performance.now() - start;
}

let out: Record<string, number>;
switch (name) {
  case 'import': {
    // What `cli import` does: read the file, one transaction, close.
    const [, ms] = await timed(async () => {
      const store = await openStore(db, { command: 'bench import' });
      const result = await importRecords(store, catalog, jsonLines(readFileSync(source!)), origin, Date.now());
      if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 5)));
      await store.close();
    });
    out = { ms };
    break;
  }
  case 'open': {
    const [, ms] = await timed(async () => (await openStore(db, { command: 'bench open' })).close());
    out = { ms };
    break;
  }
  case 'load': {
    const [, ms] = await timed(() => readStoreAt(db));
    out = { ms };
    break;
  }
  case 'status': {
    const state = await readStoreAt(db);
    const members = [...state.members.values()];
    const times: number[] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const member = members[(i * 7919) % members.length]!;
      const start = performance.now();
      memberStatus(catalog, member, state.entriesOf(member.id), AT);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    out = { medianMs: quantile(times, 0.5), p99Ms: quantile(times, 0.99) };
    break;
  }
  case 'write': {
    const writers = Number(source ?? 50);
    const store = await openStore(db, { command: 'bench write' });
    const single: number[] = [];
    for (let i = 0; i < 1000; i += 1) single.push(await awardOne(store, `member-${i % MEMBERS}`));
    // About 2000 awards in rounds of `writers` at once, each round to other members.
    const concurrent: number[] = [];
    for (let round = 0; round < Math.ceil(2000 / writers); round += 1) {
      const batch = Array.from({ length: writers }, (_, j) => awardOne(store, `member-${(round * writers + j) % MEMBERS}`));
      concurrent.push(...(await Promise.all(batch)));
    }
    await store.close();
    single.sort((a, b) => a - b);
    concurrent.sort((a, b) => a - b);
    out = {
      singleP50: quantile(single, 0.5),
      singleP99: quantile(single, 0.99),
      concurrentP50: quantile(concurrent, 0.5),
      concurrentP99: quantile(concurrent, 0.99),
    };
    break;
  }
  case 'plan': {
    // Loaded here only: planning pulls in the notification cards (botbuilder, adaptivecards-templating,
    // some 80 MiB of RSS), which the other phases, like the CLI's import and the bot's load, must not count.
    const { planDay } = await import('./plan-day.js');
    out = planDay(await readStoreAt(db), catalog, AT);
    break;
  }
  default:
    throw new Error(`unknown phase ${name}`);
}
console.log(JSON.stringify({ ...out, rssMiB: rssMiB() }));
