// npm run playground: the Microsoft 365 Agents Playground in front of the bot started by `npm start`.
// The playground runs xdg-open at start and exits when there is none: a no-op one is supplied then.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const endpoint = `http://127.0.0.1:${process.env.PORT || '3978'}/api/messages`;
let path = process.env.PATH ?? '';
if (spawnSync('sh', ['-c', 'command -v xdg-open']).status !== 0) {
  const dir = mkdtempSync(join(tmpdir(), 'playground-'));
  writeFileSync(join(dir, 'xdg-open'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'xdg-open'), 0o755);
  path = `${dir}:${path}`;
}
console.log(`Agents Playground for ${endpoint} (start the bot first with npm start); open the address it prints below.`);
const child = spawn(process.execPath, ['node_modules/@microsoft/m365agentsplayground/cli.js', '-e', endpoint, '-c', 'msteams', '--disable-telemetry'], {
  stdio: 'inherit',
  env: { ...process.env, PATH: path },
});
child.on('exit', (code) => process.exit(code ?? 0));
