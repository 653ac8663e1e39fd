// Builds the tab page with the project's own script (npm run build:tab) into a new temporary folder,
// so tests never depend on, or write to, dist/.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function buildTab(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'tab-build-'));
  // esbuild takes the last --outdir given.
  await promisify(execFile)('npm', ['run', '-s', 'build:tab', '--', `--outdir=${outdir}`], { cwd: PROJECT_DIR });
  return outdir;
}
