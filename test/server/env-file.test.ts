// The `.env` file of the project folder: `npm start` and `npm run cli` read it when it is there (Node's
// --env-file, passed only then), the real environment wins over it, and a missing one changes nothing. Run in a
// temp folder laid out like the project, with this package.json's own start and cli command lines and a
// stand-in for the built bundle that prints what it was given.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { childTmp, tempDir } from '../support/temp.js';

const exec = promisify(execFile);
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const SHOWN = ['PORT', 'DB_FILE', 'LOG_LEVEL', 'ADMINS'];
const PRINT = `console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(SHOWN)}.map((k) => [k, process.env[k] ?? null]))));\n`;

/** A folder like the project: package.json with the real start and cli scripts (no build step), dist/ stand-ins. */
function project(dotenv?: string): string {
  const dir = tempDir('env-file-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'env-file-test', private: true, type: 'module', scripts: { start: scripts.start, cli: scripts.cli } }));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'main.js'), PRINT);
  writeFileSync(join(dir, 'dist', 'cli.js'), PRINT);
  if (dotenv !== undefined) writeFileSync(join(dir, '.env'), dotenv);
  return dir;
}

/** The environment of a terminal with none of the shown settings, plus `extra`. */
function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of SHOWN) delete env[key];
  return { ...env, ...childTmp(), ...extra };
}

async function npm(args: string[], cwd: string, extra: Record<string, string> = {}) {
  const { stdout, stderr } = await exec('npm', args, { cwd, env: environment(extra) });
  return { given: JSON.parse(stdout) as Record<string, string | null>, stderr };
}

describe('the .env file', () => {
  it('is read by npm start and npm run cli, and the real environment wins over it', async () => {
    const dir = project('PORT=4001\nDB_FILE=./from-dotenv/db.json\n# a comment\nLOG_LEVEL="debug"\n');
    for (const script of [['run', '-s', 'start'], ['run', '-s', 'cli', '--', 'status', 'ann']]) {
      const { given } = await npm(script, dir, { DB_FILE: '/srv/points/db.json' });
      expect(given, script.join(' ')).toEqual({ PORT: '4001', DB_FILE: '/srv/points/db.json', LOG_LEVEL: 'debug', ADMINS: null });
    }
  });

  it('is the project folder\'s when npm runs the CLI from elsewhere with --prefix', async () => {
    const dir = project('ADMINS=aad-admin\n');
    const { given } = await npm(['--prefix', dir, 'run', '-s', 'cli', '--', 'status', 'ann'], tempDir('elsewhere-'));
    expect(given.ADMINS).toBe('aad-admin');
  });

  it('may be missing: the bot starts with the real environment only', async () => {
    const dir = project();
    const { given, stderr } = await npm(['run', '-s', 'start'], dir, { PORT: '4002' });
    expect(given).toEqual({ PORT: '4002', DB_FILE: null, LOG_LEVEL: null, ADMINS: null });
    // Not even a note about the missing file: a new user's first start prints nothing alarming.
    expect(stderr).toBe('');
  });
});
