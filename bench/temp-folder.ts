// A benchmark's temp folder (the program-scale store and its seed weigh about 100 MB), removed when
// the benchmark ends. done() stops the processes it started and waits until they have exited, since
// a bot may still be writing its store there; a benchmark that fails or is interrupted instead still
// removes it on exit, after killing them (a SIGKILLed process writes nothing more).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAll } from '../test/support/ready.js';

export function benchFolder(prefix: string, children: ChildProcess[] = []): { dir: string; done(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
    remove();
  });
  // Ctrl-C would end the process without its exit handlers.
  process.once('SIGINT', () => process.exit(130));
  return {
    dir,
    async done() {
      await stopAll(children);
      remove();
    },
  };
}
