// The composition root: configuration, catalog, store, the bot's HTTP server and the notification
// loop; a clean stop on SIGTERM/SIGINT (stop the loop, stop taking requests, finish those in flight
// and the pending writes, exit 0).
import { pino } from 'pino';
import { loadCatalog } from './catalog-file.js';
import { readConfig } from './config.js';
import { realClock } from './notify/deliver.js';
import { Notifier } from './notify/notifier.js';
import { startServer } from './server.js';
import type { PointsStore } from './store/contract.js';
import { openStore, storeLocation } from './store/open-store.js';

let config;
try {
  config = readConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const log = pino({ level: config.logLevel });

let store: PointsStore;
let server: Awaited<ReturnType<typeof startServer>>;
let notifier: Notifier;
try {
  const catalog = loadCatalog(config.rulesFile);
  store = await openStore(storeLocation(config), { command: 'npm start', log });
  // One clock for the whole bot: requests, imports, notification passes and their waits.
  server = await startServer({ config, store, catalog, log, now: realClock.now });
  notifier = new Notifier({ store, catalog, settings: config.notify, transport: server.transport, log, clock: realClock }, log);
  notifier.start(config.notify.everyMs);
  log.info(
    { catalog: catalog.edition, store: store.location, members: store.state.members.size, entries: store.state.ledger.size },
    `DevOps Points bot ready on ${server.url}/api/messages`,
  );
} catch (error) {
  // Configuration, catalog and store problems are sentences meant for the person starting the bot.
  console.error((error as Error).message);
  process.exit(1);
}

let stopping = false;
async function stop(signal: string): Promise<void> {
  // Ctrl-C signals the whole process group, and npm passes the signal on too: the bot gets it twice.
  // A repeated signal changes nothing; the stop under way exits once its writes are done.
  if (stopping) return log.info({ signal }, 'already stopping');
  stopping = true;
  log.info({ signal }, 'stopping: finishing requests in flight and pending writes');
  await notifier.stop();
  await server.close();
  await store.close();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
