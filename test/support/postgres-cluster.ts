// A private PostgreSQL server for the test run: a new cluster in a temp folder, on a free port of
// 127.0.0.1, stopped and removed at the end. It never touches a system cluster. Used by the global
// setup (test/support/postgres-setup.ts) and the benchmarks; tests reach it through ./postgres.ts.
import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface Cluster {
  /** A URL of the cluster's `postgres` database, as the `postgres` superuser (trust: no password). */
  url: string;
  stop(): Promise<void>;
}

const TOOLS = ['initdb', 'pg_ctl', 'postgres'];

/** The folder holding initdb, pg_ctl and postgres: on the PATH, else the newest /usr/lib/postgresql/N/bin. */
export function findPostgres(): string | null {
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  const folders = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...debian];
  return folders.find((folder) => TOOLS.every((tool) => existsSync(join(folder, tool)))) ?? null;
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('the tests run as root and there is no "postgres" user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the process is gone (checked every 10 ms, for at most 10 s). */
async function exited(pid: number): Promise<void> {
  for (const end = Date.now() + 10_000; Date.now() < end; ) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function run(command: string, args: string[], options: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`))));
  });
}

/** Creates and starts a cluster; pg_ctl -w returns once the server accepts connections. */
export async function startCluster(bin: string): Promise<Cluster> {
  const owner = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'pg-cluster-'));
  const data = join(dir, 'data');
  const options: SpawnOptions = { ...(owner ?? {}), env: { ...process.env, LC_ALL: 'C' } };
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  try {
    if (owner) chownSync(dir, owner.uid, owner.gid);
    await run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions'], options);
    for (let attempt = 1; ; attempt += 1) {
      const port = await freePort();
      const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
      try {
        await run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', settings, '-w', '-t', '120', 'start'], options);
      } catch (error) {
        // Another process may have taken the port between the check and the start.
        if (attempt < 3) continue;
        const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
        throw new Error(`${(error as Error).message}\n${log}`, { cause: error });
      }
      const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const stop = async () => {
        try {
          await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], options);
          // pg_ctl returns once the pid file is gone; the server may still write its last log line.
          await exited(postmaster);
        } finally {
          remove();
        }
      };
      return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
    }
  } catch (error) {
    // A server that started but failed later is stopped before its folder goes.
    try {
      execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { ...(owner ?? {}), stdio: 'ignore' });
    } catch {
      // Not running.
    }
    remove();
    throw error;
  }
}
