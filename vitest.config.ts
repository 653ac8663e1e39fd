import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Timeouts only catch a test that hangs: nothing here measures speed (that is npm run bench), and
    // on a busy machine a process test (a build, a child bot) may take many times its usual time.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
