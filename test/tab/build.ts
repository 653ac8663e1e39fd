// Builds the tab page with the project's own script (npm run build:tab) into a new temporary folder
// (removed when the test file ends), so tests never depend on, or write to, dist/.
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { childTmp, tempDir } from '../support/temp.js';

const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function buildTab(): Promise<string> {
  const outdir = tempDir('tab-build-');
  // esbuild takes the last --outdir given.
  await promisify(execFile)('npm', ['run', '-s', 'build:tab', '--', `--outdir=${outdir}`], { cwd: PROJECT_DIR, env: { ...process.env, ...childTmp() } });
  return outdir;
}
