// Ends every run with one line "N passed, N failed" that CI reads. What the tests left in the run's
// private temp folder (test/support/global-setup.ts) counts there as one more failed test, and so does
// each error no test caught (vitest fails the run for it, so the line must not say 0 failed).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';
import { leftovers, TEMP_ROOT } from './global-setup.js';

/** At most this many leftovers are named; the count says the rest. */
const SHOWN = 40;

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
      // A file that failed outside its tests (an import, a beforeAll) counts once, so the line never says 0 failed then.
      if (module.state() === 'failed' && ![...module.children.allTests()].some((test) => test.result().state === 'failed')) failed += 1;
    }
    if (!this.tempFolderClean()) failed += 1;
    failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }

  /** Reports what the run left in its temp folder, then removes it: the global teardown fails only for what no reporter saw. */
  private tempFolderClean(): boolean {
    const root = process.env[TEMP_ROOT];
    if (!root) return true;
    const left = leftovers(root);
    if (left.length === 0) {
      process.stdout.write(`\nTemp folder check: the tests left nothing in ${root}\n`);
      return true;
    }
    process.exitCode = 1;
    const shown = left.slice(0, SHOWN).join('\n  ');
    const more = left.length > SHOWN ? `\n  … and ${left.length - SHOWN} more` : '';
    process.stdout.write(`\nTemp folder check FAILED: the tests left ${left.length} ${left.length === 1 ? 'entry' : 'entries'} in ${root}:\n  ${shown}${more}\n`);
    for (const name of left) rmSync(join(root, name.replace(/\/$/, '')), { recursive: true, force: true, maxRetries: 5 });
    return false;
  }
}
