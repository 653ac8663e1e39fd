// The proactive loop at program scale: computing what is due for every member, and delivering
// notifications through botbuilder to a stub connector in its own process at the pace limit, with and
// without throttling.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { buildSync } from 'esbuild';
import { pino } from 'pino';
import { loadCatalog } from '../src/catalog-file.js';
import { DEFAULT_RULES_FILE } from '../src/config.js';
import { realClock } from '../src/notify/deliver.js';
import { runPass } from '../src/notify/pass.js';
import { BotTransport } from '../src/notify/transport.js';
import { importRecords } from '../src/services/import-records.js';
import { readStore, Store } from '../src/store/store.js';
import { startUntilReady, stopped } from '../test/support/ready.js';
import { generate } from './generate.js';
import { planDay } from './plan-day.js';
import { benchFolder } from './temp-folder.js';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 200_000);
const NOTIFICATIONS = Number(process.env.BENCH_NOTIFICATIONS ?? 2000);
const RATE = 50;
const AT = Date.parse('2026-11-23T12:00:00Z');

const catalog = loadCatalog(DEFAULT_RULES_FILE);
const children: ChildProcess[] = [];
const { dir, done } = benchFolder('notify-bench-', children);

// 1. What is due, over the same store as the other benchmarks.
generate(join(dir, 'seed.jsonl'), MEMBERS, ENTRIES);
const big = join(dir, 'big.json');
const built = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
if (built.status !== 0) throw new Error('build failed');
const imported = spawnSync(process.execPath, ['dist/cli.js', '--db', big, 'import', join(dir, 'seed.jsonl')], { encoding: 'utf8' });
if (imported.status !== 0) throw new Error(imported.stderr);
const plan = planDay(await readStore(big), catalog, AT);

// 2. Delivery: NOTIFICATIONS members each due a renewal reminder, each with a conversation.
buildSync({ entryPoints: { 'bench-connector': 'bench/stub-connector.ts' }, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outdir: 'dist', logLevel: 'warning' });

interface Delivery {
  seconds: number;
  sent: number;
  lost: number;
  duplicated: number;
  throttled: number;
  retries: number;
}

async function deliver(throttleEvery: number): Promise<Delivery> {
  const port = await startUntilReady([process.execPath, 'dist/bench-connector.js'], { STUB_THROTTLE_EVERY: String(throttleEvery) }, /"port":(\d+)/, children);
  const serviceUrl = `http://127.0.0.1:${port}/`;
  const store = await Store.open(join(dir, `deliver-${throttleEvery}.json`), { command: 'notify bench' });
  const ids = Array.from({ length: NOTIFICATIONS }, (_, i) => `n${i}`);
  // Signed up 2025-12-23: the 30-day reminder is due at AT.
  const result = await importRecords(store, catalog, ids.map((id, i) => ({ index: i + 1, value: { type: 'member', id, email: `${id}@example.com`, name: id, signedUpAt: '2025-12-23' } })), { source: 'import', by: 'bench' }, AT);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  await store.transact((tx) => {
    for (const id of ids) {
      tx.put(['conversations', {
        id: `aad-${id}`, memberId: id, savedAt: new Date(AT).toISOString(),
        reference: { channelId: 'msteams', serviceUrl, conversation: { id: `conv-${id}`, conversationType: 'personal' }, user: { id: `29:${id}` }, bot: { id: '28:bot' } },
      }]);
    }
  });
  const transport = new BotTransport(new CloudAdapter(new ConfigurationBotFrameworkAuthentication({})), '');
  const start = performance.now();
  const report = await runPass({ store, catalog, settings: { reminderDays: [30, 7, 1], everyMs: 0, rate: RATE, maxAttempts: 5 }, transport, log: pino({ level: 'silent' }), clock: realClock }, AT);
  const seconds = (performance.now() - start) / 1000;
  const attempts = [...store.state.notifications.values()].reduce((sum, n) => sum + n.attempts, 0);
  await store.close();
  const stats = (await (await fetch(`${serviceUrl}stats`)).json()) as { throttled: number; accepted: Record<string, number> };
  const counts = ids.map((id) => stats.accepted[`conv-${id}`] ?? 0);
  await stopped(children.pop()!, 'SIGTERM');
  return {
    seconds,
    sent: report.sent,
    lost: counts.filter((c) => c === 0).length,
    duplicated: counts.filter((c) => c > 1).length,
    throttled: stats.throttled,
    retries: attempts - NOTIFICATIONS,
  };
}

const plain = await deliver(0);
const throttled = await deliver(20);
const target = NOTIFICATIONS / RATE;

console.log(`\nWhat is due, ${MEMBERS} members and ${ENTRIES} entries: first pass (a week) ${plan.firstMs.toFixed(0)} ms; a pass every 15 minutes over a day: median ${plan.medianMs.toFixed(0)} ms, slowest ${plan.slowestMs.toFixed(0)} ms (target < 1 s); ${plan.due} notices due in all\n`);
console.log(`Delivery of ${NOTIFICATIONS} notifications at NOTIFY_RATE=${RATE} (target ${target.toFixed(0)} s ± 10 %, 0 lost, 0 duplicated)\n`);
console.log('| run | time | sent | lost | duplicated | 429 answers | retries |\n|---|---|---|---|---|---|---|');
for (const [name, d] of [['every send accepted', plain], ['5 % answered 429 (Retry-After: 1)', throttled]] as const) {
  console.log(`| ${name} | ${d.seconds.toFixed(1)} s | ${d.sent} | ${d.lost} | ${d.duplicated} | ${d.throttled} | ${d.retries} |`);
}
await done();
process.exit(0);
