// npm run playground: takes a port, prints the address to open, and says so when the playground had
// to move because its port was taken.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stopped } from '../support/ready.js';
import { childTmp, tempDir } from '../support/temp.js';

let child: ChildProcess | undefined;
let blocker: Server | undefined;
afterEach(async () => {
  if (child) await stopped(child, 'SIGTERM');
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  child = undefined;
  blocker = undefined;
});

/** Starts the script and resolves with its output once `until` matches it. */
function playground(args: string[], env: Record<string, string>, until: RegExp): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', 'scripts/playground.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      if (until.test(output)) resolve(output);
    };
    child!.stdout!.on('data', look);
    child!.stderr!.on('data', look);
    child!.on('exit', (code) => reject(new Error(`the playground exited with ${code}: ${output}`)));
  });
}

describe('npm run playground', () => {
  it('names the port it moved to when its own is taken, and prints the address to open', async () => {
    blocker = createServer((_req, res) => res.end('taken'));
    await new Promise<void>((resolve) => blocker!.listen(0, resolve));
    const taken = (blocker.address() as AddressInfo).port;
    // No xdg-open on the PATH, as on a server: the script makes a folder for a no-op one.
    const shellOnly = tempDir('path-');
    symlinkSync('/bin/sh', join(shellOnly, 'sh'));
    const { TMPDIR } = childTmp();
    const output = await playground([String(taken)], { PORT: '3999', PATH: shellOnly, TMPDIR }, /Open http:\/\/localhost:\d+/);
    expect(output).toContain('Agents Playground for the bot at http://127.0.0.1:3999/api/messages (start the bot first with npm start, PORT=3999).');
    const moved = /Port (\d+) is taken, so the playground moved to port (\d+)\./.exec(output);
    expect(moved?.[1]).toBe(String(taken));
    const port = Number(moved![2]);
    expect(port).not.toBe(taken);
    expect(output).toContain(`Open http://localhost:${port} in a browser to chat with the bot.`);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    // Stopped, the script leaves nothing in the temp folder but tsx's own cache.
    const made = () => readdirSync(TMPDIR).filter((name) => !name.startsWith('tsx-'));
    expect(made()).toEqual([expect.stringMatching(/^playground-/)]);
    await stopped(child!, 'SIGTERM');
    expect(made()).toEqual([]);
  });

  it('refuses a port that is not one, with a sentence', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/playground.ts', 'eighty'], { encoding: 'utf8', env: { ...process.env, ...childTmp(), PLAYGROUND_PORT: '' } });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('The port argument must be a port number from 0 to 65535, not "eighty".');
    const fromEnv = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/playground.ts'], { encoding: 'utf8', env: { ...process.env, ...childTmp(), PLAYGROUND_PORT: '70000' } });
    expect(fromEnv.status).toBe(1);
    expect(fromEnv.stderr.trim()).toBe('PLAYGROUND_PORT must be a port number from 0 to 65535, not "70000".');
  });
});
