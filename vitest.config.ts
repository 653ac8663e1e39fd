import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // A private TMPDIR for the run, checked for leftovers at its end; each file removes its temp folders.
    globalSetup: ['./test/support/global-setup.ts'],
    setupFiles: ['./test/support/remove-temp.ts'],
    // restify 11 reads process.binding('http_parser'): the bot's own command lines turn off that notice
    // (DEP0111), and so do the test workers, so a passing run prints no warning.
    execArgv: ['--disable-warning=DEP0111'],
    // Timeouts only catch a test that hangs: nothing here measures speed (that is npm run bench), and
    // on a busy machine a process test (a build, a child bot) may take many times its usual time.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
