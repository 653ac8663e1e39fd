// A process that opens a store for writing and holds it until it is killed: a running bot, for tests.
// Usage: node --import tsx test/store/hold-store.ts DB [HOST STALE_MS REFRESH_MS]
import { Store } from '../../src/store/store.js';

const [db, host, staleMs, refreshMs] = process.argv.slice(2);
if (!db) throw new Error('usage: hold-store DB [HOST STALE_MS REFRESH_MS]');
const lease = host ? { host, staleMs: Number(staleMs), refreshMs: Number(refreshMs) } : undefined;
await Store.open(db, { command: 'hold-store', ...(lease && { lease }) });
process.stdout.write(`holding ${process.pid}\n`);
// The lease's timer does not keep a process alive: this does, until the test kills it.
setInterval(() => {}, 1 << 30);
