// Temporary folders for tests. Each one is removed when its test file ends (test/support/remove-temp.ts
// runs removeTemp after the file's own afterAll hooks), so a file that closes its stores in afterAll
// still has them then. A folder a child process uses is removed only after the child has exited.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/** A new folder in the temp folder, removed when the test file ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** A store path in a new temp folder, removed when the test file ends. */
export function tempDb(prefix = 'store-'): string {
  return join(tempDir(prefix), 'db.json');
}

/** Removes a folder now (before the file ends), e.g. when a test makes many. */
export function removeDir(dir: string): void {
  // Retries cover a write (a store's rename, a child's last log line) landing while the tree is removed.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  made.delete(dir);
}

/** Removes every folder tempDir made that is still there. */
export function removeTemp(): void {
  for (const dir of made) removeDir(dir);
}

/**
 * `{ TMPDIR }` naming a new temp folder for a child process: what the child and its tools (tsx's cache,
 * npm, Chromium) write to the temp folder goes there, and is removed when the test file ends. The test
 * must have seen the child exit by then (see stopAll in ./ready.ts).
 */
export function childTmp(): { TMPDIR: string } {
  return { TMPDIR: tempDir('child-tmp-') };
}
