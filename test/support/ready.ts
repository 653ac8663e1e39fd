// Starts a process and waits for the line that says it is ready (used by the e2e test and the bench).
import { spawn, type ChildProcess } from 'node:child_process';

/** Spawns `command`; resolves with the first capture of `ready` in its output, rejects if it exits first. */
export function startUntilReady(command: string[], env: NodeJS.ProcessEnv, ready: RegExp, started: ChildProcess[]): Promise<string> {
  const child = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.on('exit', (code) => reject(new Error(`${command.join(' ')} exited with ${code}:\n${output.slice(-2000)}`)));
  });
}
