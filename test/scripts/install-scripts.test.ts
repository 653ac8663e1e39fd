// A fresh `npm install` is quiet: every dependency with an install script is approved or denied in
// package.json's allowScripts (npm 11 skips unreviewed scripts and warns about each one).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);

describe('install scripts', () => {
  it('are all reviewed: esbuild may run its own, dtrace-provider (needs a compiler, unused on Linux) may not', async () => {
    const { allowScripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts: Record<string, boolean> };
    expect(allowScripts).toEqual({ esbuild: true, 'dtrace-provider': false });
    const { stdout } = await exec('npm', ['install-scripts', 'ls']);
    expect(stdout.trim()).toBe('No packages with unreviewed install scripts.');
  });

  it('approvals go by name, since the lockfile has no resolved URLs to pin a version to', () => {
    expect(readFileSync('.npmrc', 'utf8')).toMatch(/^allow-scripts-pin=false$/m);
  });
});
