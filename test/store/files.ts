// Store folders for tests: created empty, removed when the test ends, and hashed to prove that an
// operation changed no file.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';
import { removeDir, tempDb } from '../support/temp.js';

/** A store path in a new temporary folder that is removed when the current test ends. */
export function scratchDb(prefix = 'store-'): string {
  const db = tempDb(prefix);
  onTestFinished(() => removeDir(dirname(db)));
  return db;
}

/** Every file below the folder (lock folder included), by relative path, with the hash of its bytes. */
export function folderHashes(dir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    hashes[path.slice(dir.length + 1)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return hashes;
}

/** The store's journal files, oldest generation first. */
export function journalsOf(db: string): string[] {
  return readdirSync(dirname(db))
    .filter((name) => /^db\.json\.journal\.\d+$/.test(name))
    .sort((a, b) => Number(a.split('.').at(-1)) - Number(b.split('.').at(-1)))
    .map((name) => join(dirname(db), name));
}
