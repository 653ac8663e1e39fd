// npm run playground [PORT]: the Microsoft 365 Agents Playground in front of the bot started by
// `npm start`. The playground's port is the argument, else PLAYGROUND_PORT, else 56150; the bot's is
// PORT, as for npm start. The playground moves to a random port when its own is taken and says so
// only as "Listening on N": this prints the address to open, and the move.
// The playground runs xdg-open at start and exits when there is none: a no-op one is supplied then.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPort } from '../src/config.js';

const DEFAULT_PORT = 56150;

function port(value: string | undefined, name: string, fallback: number): number {
  try {
    return readPort(value, name, fallback);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

const botPort = port(process.env.PORT, 'PORT', 3978);
const wanted = port(process.argv[2] ?? process.env.PLAYGROUND_PORT, process.argv[2] !== undefined ? 'The port argument' : 'PLAYGROUND_PORT', DEFAULT_PORT);
const endpoint = `http://127.0.0.1:${botPort}/api/messages`;

let path = process.env.PATH ?? '';
let noOpDir: string | undefined;
if (spawnSync('sh', ['-c', 'command -v xdg-open']).status !== 0) {
  noOpDir = mkdtempSync(join(tmpdir(), 'playground-'));
  writeFileSync(join(noOpDir, 'xdg-open'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(noOpDir, 'xdg-open'), 0o755);
  path = `${noOpDir}:${path}`;
}

console.log(`Agents Playground for the bot at ${endpoint} (start the bot first with npm start${botPort === 3978 ? '' : `, PORT=${botPort}`}).`);
const child = spawn(
  process.execPath,
  ['node_modules/@microsoft/m365agentsplayground/cli.js', '-e', endpoint, '-c', 'msteams', '--disable-telemetry', '-p', String(wanted)],
  { stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, PATH: path } },
);

let seen = '';
let announced = false;
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (announced) return;
  seen += chunk.toString();
  const listening = /Listening on (\d+)/.exec(seen);
  if (!listening) return;
  announced = true;
  const port = Number(listening[1]);
  if (wanted !== 0 && port !== wanted) console.log(`Port ${wanted} is taken, so the playground moved to port ${port}.`);
  console.log(`Open http://localhost:${port} in a browser to chat with the bot.`);
});

const stop = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code) => {
  if (noOpDir) rmSync(noOpDir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
