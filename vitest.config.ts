import { defineConfig } from 'vitest/config';

// Tests that call the code in the test process (rules, services, cards, the bot's commands) share one
// module graph per worker: loading botbuilder, zod and the catalog again for every file cost more than
// the tests. Tests that start servers, processes or browsers keep a fresh graph per file.
const SHARED_GRAPH = ['test/core/**/*.test.ts', 'test/services/**/*.test.ts', 'test/cards/**/*.test.ts', 'test/bot/**/*.test.ts'];

// What every project shares. The run's global setup stays at the root, so it runs once.
const shared = {
  setupFiles: ['./test/support/remove-temp.ts'],
  // restify 11 reads process.binding('http_parser'): the bot's own command lines turn off that notice
  // (DEP0111), and so do the test workers, so a passing run prints no warning.
  execArgv: ['--disable-warning=DEP0111'],
  // Timeouts only catch a test that hangs: nothing here measures speed (that is npm run bench), and
  // on a busy machine a process test (a build, a child bot) may take many times its usual time.
  testTimeout: 180_000,
  hookTimeout: 180_000,
};

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    // A private PostgreSQL server for the run (stopped last, after the temp folder's check), then a
    // private TMPDIR for the run, checked for leftovers at its end; each file removes its temp folders.
    globalSetup: ['./test/support/postgres-setup.ts', './test/support/global-setup.ts'],
    projects: [
      { test: { ...shared, name: 'in-process', include: SHARED_GRAPH, isolate: false } },
      { test: { ...shared, name: 'isolated', include: ['test/**/*.test.ts'], exclude: SHARED_GRAPH } },
    ],
  },
});
