// Starts a process and waits for the line that says it is ready (used by the e2e test and the bench),
// and stops processes, waiting until they have exited.
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

/** Sends `signal` to the process unless it has already exited; resolves once it has exited. */
export function stopped(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  return exited;
}

/** Stops every process of the list and empties it: the folders they used can be removed once this resolves. */
export async function stopAll(children: ChildProcess[], signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  await Promise.all(children.splice(0).map((child) => stopped(child, signal)));
}
