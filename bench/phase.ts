// One phase of the benchmark, in its own process; prints one JSON line of measures.
import { readFileSync } from 'node:fs';
import { loadCatalog } from '../src/catalog-file.js';
import { DEFAULT_RULES_FILE } from '../src/config.js';
import { memberStatus } from '../src/core/lifecycle.js';
import { importRecords, jsonLines } from '../src/services/import-records.js';
import { readStore, Store } from '../src/store/store.js';

const [name, db, source] = process.argv.slice(2);
if (!name || !db) throw new Error('usage: phase NAME DB [SOURCE]');
const catalog = loadCatalog(DEFAULT_RULES_FILE);
const origin = { source: 'import' as const, by: 'bench' };

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const rssMiB = () => process.resourceUsage().maxRSS / 1024;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

async function credit(store: Store, id: string, member: string): Promise<number> {
  const start = performance.now();
  const result = await importRecords(store, catalog, [{ index: 1, value: { type: 'credit', id, member, action: 'qa.answer', at: '2026-11-01T10:00:00Z' } }], origin, Date.now());
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return performance.now() - start;
}

let out: Record<string, number>;
switch (name) {
  case 'import': {
    // What `cli import` does: read the file, one transaction, close.
    const [, ms] = await timed(async () => {
      const store = await Store.open(db, { command: 'bench import' });
      const result = await importRecords(store, catalog, jsonLines(readFileSync(source!)), origin, Date.now());
      if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 5)));
      await store.close();
    });
    out = { ms };
    break;
  }
  case 'open': {
    const [, ms] = await timed(async () => (await Store.open(db, { command: 'bench open' })).close());
    out = { ms };
    break;
  }
  case 'load': {
    const [, ms] = await timed(() => readStore(db));
    out = { ms };
    break;
  }
  case 'status': {
    const state = await readStore(db);
    const members = [...state.members.values()];
    const at = Date.parse('2026-11-23T12:00:00Z');
    const times: number[] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const member = members[(i * 7919) % members.length]!;
      const start = performance.now();
      memberStatus(catalog, member, state.entriesOf(member.id), at);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    out = { medianMs: quantile(times, 0.5), p99Ms: quantile(times, 0.99) };
    break;
  }
  case 'write': {
    const store = await Store.open(db, { command: 'bench write' });
    const single: number[] = [];
    for (let i = 0; i < 1000; i += 1) single.push(await credit(store, `single-${i}`, `member-${i % 10_000}`));
    const concurrent: number[] = [];
    for (let round = 0; round < 40; round += 1) {
      const batch = Array.from({ length: 50 }, (_, j) => credit(store, `concurrent-${round}-${j}`, `member-${(round * 50 + j) % 10_000}`));
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
  default:
    throw new Error(`unknown phase ${name}`);
}
console.log(JSON.stringify({ ...out, rssMiB: rssMiB() }));
