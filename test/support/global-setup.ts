// One private temp folder for the whole run. TMPDIR points at it, so os.tmpdir() in the workers and in
// every child process they start lands there, and what the suite leaves behind can be told apart from
// what other processes on the machine write to /tmp at the same time.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Names the run's private temp folder for the summary reporter, in the same process. */
export const TEMP_ROOT = 'TEST_TEMP_ROOT';

/** What is left in the run's temp folder: one line per entry, folders ending in "/". */
export function leftovers(root: string): string[] {
  return readdirSync(root)
    .sort()
    .map((name) => (statSync(join(root, name), { throwIfNoEntry: false })?.isDirectory() ? `${name}/` : name));
}

export default function setup(): () => void {
  const outer = { TMPDIR: process.env.TMPDIR, [TEMP_ROOT]: process.env[TEMP_ROOT] };
  const root = mkdtempSync(join(tmpdir(), 'devops-points-test-'));
  process.env.TMPDIR = root;
  process.env[TEMP_ROOT] = root;
  return () => {
    // The summary reporter reports and removes what it finds; anything here now was seen by no one.
    const left = leftovers(root);
    if (left.length > 0) {
      console.error(`The tests left ${left.length} ${left.length === 1 ? 'entry' : 'entries'} in the temp folder ${root}:\n  ${left.join('\n  ')}`);
      process.exitCode = 1;
    }
    rmSync(root, { recursive: true, force: true, maxRetries: 5 });
    for (const [name, value] of Object.entries(outer)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
