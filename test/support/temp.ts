import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A store path in a new temporary folder. */
export function tempDb(prefix = 'store-'): string {
  return join(mkdtempSync(join(tmpdir(), prefix)), 'db.json');
}
