// The leftover check itself: vitest runs a tiny suite (test/fixtures/temp-check) with the real global
// setup, setup file and summary reporter, in a child process, as CI runs npm test.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect, test } from 'vitest';

const CONFIG = 'test/fixtures/temp-check/vitest.config.ts';

/** Runs vitest on the fixture suite; resolves once the process has exited. */
function runFixtureSuite(filter: string[]): Promise<{ code: number | null; out: string }> {
  // The child is a fresh vitest run, not a worker of this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', CONFIG, ...filter], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const lastLine = (out: string) => out.trimEnd().split('\n').at(-1);
const runRoot = (out: string) => /in (\S+\/devops-points-test-\w{6}):?\n/.exec(out)?.[1];

test('a suite that leaves a folder in the temp folder fails: the check names it and the last line counts it', async () => {
  const run = await runFixtureSuite([]);
  expect(run.out).toMatch(/Temp folder check FAILED: the tests left 1 entry in \S+:\n {2}leaked-on-purpose-\w{6}\/\n/);
  // The folder made through tempDir was removed when its file ended, after the file's own afterAll.
  expect(run.out).not.toContain('kept-until-file-end-');
  expect(lastLine(run.out)).toBe('2 passed, 1 failed');
  expect(run.code).toBe(1);
  expect(existsSync(runRoot(run.out) ?? 'no run folder named')).toBe(false);
  expect(runRoot(run.out)).toMatch(/devops-points-test-/);
});

test('a suite that removes what it makes passes the check', async () => {
  const run = await runFixtureSuite(['cleans']);
  expect(run.out).toMatch(/Temp folder check: the tests left nothing in \S+\n/);
  expect(lastLine(run.out)).toBe('1 passed, 0 failed');
  expect(run.code).toBe(0);
  expect(existsSync(runRoot(run.out) ?? 'no run folder named')).toBe(false);
  expect(runRoot(run.out)).toMatch(/devops-points-test-/);
});
