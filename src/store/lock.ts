// One writer per store: a lock file created exclusively, naming its holder. A lock left by a process
// that no longer runs (killed, crashed) is taken over, so a crash never locks the store for good.
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

export class StoreLockedError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${file} is already open for writing by process ${holder.pid} (${holder.command}, since ${holder.since}). ` +
        'Only one process may write to a store: stop that process first, or use another store file.',
    );
    this.name = 'StoreLockedError';
  }
}

interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

export interface Lock {
  release(): void;
}

/**
 * Takes the lock or throws StoreLockedError (also for a second open in the same process). A holder
 * on another host is always respected.
 */
export function acquireLock(storeFile: string, command: string, now: Date): Lock {
  const path = `${storeFile}.lock`;
  const me: LockHolder = { pid: process.pid, host: hostname(), command, since: now.toISOString() };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    // Written aside and linked into place, so the lock never exists without its holder's name.
    const draft = `${path}.${process.pid}`;
    writeFileSync(draft, JSON.stringify(me));
    try {
      linkSync(draft, path);
      rmSync(draft, { force: true });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (readHolder(path)?.pid === me.pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      rmSync(draft, { force: true });
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    if (holder && (holder.host !== me.host || isRunning(holder.pid))) {
      throw new StoreLockedError(storeFile, holder);
    }
    rmSync(path, { force: true });
  }
  throw new Error(`could not take the lock ${path}`);
}
