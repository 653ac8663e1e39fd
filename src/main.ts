// The composition root: configuration, catalog and store, and a clean stop on SIGTERM/SIGINT.
// The Teams bot and its HTTP server are wired in here as they arrive.
import { loadCatalog } from './catalog-file.js';
import { readConfig } from './config.js';
import { Store } from './store/store.js';

const config = readConfig();
let store: Store;
try {
  const catalog = loadCatalog(config.rulesFile);
  store = await Store.open(config.dbFile, { command: 'npm start' });
  console.log(
    `DevOps Points: catalog "${catalog.edition}" (${catalog.actions.length} actions, ${catalog.timeZone}); ` +
      `store ${store.file} with ${store.state.members.size} members and ${store.state.ledger.size} entries. Ready.`,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: finishing pending writes`);
  await store.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
// Hold the store (and its lock) until told to stop.
setInterval(() => undefined, 1 << 30);
