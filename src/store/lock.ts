// One writer per store: a lock folder, `db.json.lock/`, holding `holder.json` with its holder's name.
// mkdir is atomic on local disks and on SMB shares (App Service /home), where hard links may not be.
//
// The lock is a lease: its holder touches the folder every refreshMs, so a folder untouched for
// staleMs was left by a process that is gone, whatever host it ran on (containers come back under new
// host names). On the same host the process id decides at once: a dead holder's lock is taken over,
// a live one's never, even while its event loop is too busy to renew. A holder that finds its lock
// gone or taken stops writing (see Store), so two writers never write at once.
//
// The lease runs on the real clock, not an injected one: its times are compared with file times that
// other processes, on other hosts, wrote with theirs.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
  /** Names one holding, so a holder can tell its lock from a later one of a process with its pid. */
  token?: string;
}

export class StoreLockedError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder | null,
    detail = '',
  ) {
    const who = holder ? `process ${holder.pid} (${holder.command}, since ${holder.since}) on host ${holder.host}` : 'a process that has not written its name yet';
    super(`${file} is already open for writing by ${who}${detail}. Only one process may write to a store: stop that process first, or use another store file.`);
    this.name = 'StoreLockedError';
  }
}

export interface LeaseOptions {
  /** A lock not renewed for this long is taken over (default 30 s). */
  staleMs?: number;
  /** How often the holder renews its lock (default 10 s). */
  refreshMs?: number;
  /** This host's name as the lock records it (default os.hostname()). */
  host?: string;
}

const DEFAULT_STALE_MS = 30_000;
const DEFAULT_REFRESH_MS = 10_000;
const HOLDER_FILE = 'holder.json';

/** Tokens of the locks this process holds: its own pid in a lock means a live holding only for these. */
const heldHere = new Set<string>();

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Found {
  holder: LockHolder | null;
  /** Since when the lock was last renewed, by the clock of the host that renewed it. */
  renewedAt: number;
}

function mtimeOf(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The lock at `path`: a folder, or the plain file earlier versions wrote; null when there is none.
 * The lease's time is that of the holder file, which moving the folder aside leaves as it is.
 */
function inspect(path: string): Found | null {
  let file: string;
  try {
    file = statSync(path).isDirectory() ? join(path, HOLDER_FILE) : path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const renewedAt = mtimeOf(file);
  if (renewedAt === null) {
    // A folder without its holder file yet: a process is taking it, or died doing so.
    const made = mtimeOf(path);
    return made === null ? null : { holder: null, renewedAt: made };
  }
  try {
    return { holder: JSON.parse(readFileSync(file, 'utf8')) as LockHolder, renewedAt };
  } catch {
    return { holder: null, renewedAt };
  }
}

/** Why a found lock is still held, or null when it may be taken over. */
function heldBecause(found: Found, me: LockHolder, staleMs: number): string | null {
  const { holder } = found;
  const age = Date.now() - found.renewedAt;
  if (holder?.host === me.host) {
    // A lock of an earlier version (no token) naming this pid is ours only if this process took it.
    if (holder.pid === process.pid) return holder.token !== undefined && heldHere.has(holder.token) ? '' : null;
    return isRunning(holder.pid) ? '' : null;
  }
  if (age > staleMs) return null;
  const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;
  return `; its lease was renewed ${seconds(age)} ago and is taken over once it has not been renewed for ${seconds(staleMs)}`;
}

/**
 * Removes a lock judged stale. It is first moved aside, which is atomic, then checked again: a holder
 * that renewed it or a process that took it meanwhile gets it back.
 */
function takeOver(path: string, judged: Found): void {
  const aside = `${path}.stale-${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = inspect(aside);
  const same = moved !== null && moved.holder?.token === judged.holder?.token && (judged.holder === null || moved.renewedAt === judged.renewedAt);
  if (moved && !same) {
    try {
      renameSync(aside, path);
    } catch {
      // Someone took the place meanwhile; the holder finds its lock gone at its next renewal.
    }
    return;
  }
  rmSync(aside, { recursive: true, force: true });
}

export class LockLostError extends Error {}

/** A held lock: renewed in the background until released. */
export class Lock {
  /** Called once if the lock is found gone or taken by another process. */
  onLost: (error: LockLostError) => void = () => {};
  private renewedAt = Date.now();
  private lost: LockLostError | null = null;
  private released = false;
  private renewing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly path: string,
    private readonly me: LockHolder & { token: string },
    private readonly staleMs: number,
    refreshMs: number,
  ) {
    heldHere.add(me.token);
    this.timer = setInterval(() => void this.renew(), refreshMs);
    // The lease never keeps the process alive on its own.
    this.timer.unref();
  }

  /**
   * Resolves while the lock is surely still held; throws LockLostError otherwise. Cheap while the
   * lease is fresh; once renewals lag (a busy event loop), it renews before answering.
   */
  async ensureHeld(): Promise<void> {
    if (!this.lost && Date.now() - this.renewedAt > this.staleMs / 2) await this.renew();
    if (this.lost) throw this.lost;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    heldHere.delete(this.me.token);
    if (!this.lost && inspect(this.path)?.holder?.token === this.me.token) rmSync(this.path, { recursive: true, force: true });
  }

  private renew(): Promise<void> {
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renewOnce(): Promise<void> {
    if (this.released || this.lost) return;
    let problem: string | null = null;
    try {
      const holder = JSON.parse(await readFile(join(this.path, HOLDER_FILE), 'utf8')) as LockHolder;
      if (holder.token !== this.me.token) problem = `it is now held by process ${holder.pid} (${holder.command}) on host ${holder.host}`;
      else {
        const now = new Date();
        await utimes(join(this.path, HOLDER_FILE), now, now);
        this.renewedAt = now.getTime();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') problem = 'it was removed';
      // Another failure (a share that hiccups) is tried again at the next renewal, while the lease lasts.
      else if (Date.now() - this.renewedAt > this.staleMs) problem = `it could not be renewed for ${this.staleMs} ms (${(error as Error).message})`;
    }
    if (problem === null || this.released) return;
    this.lost = new LockLostError(`the lock ${this.path} was lost: ${problem}`);
    clearInterval(this.timer);
    heldHere.delete(this.me.token);
    this.onLost(this.lost);
  }
}

/** Takes the lock or throws StoreLockedError (also for a second open in the same process). */
export function acquireLock(storeFile: string, command: string, options: LeaseOptions = {}): Lock {
  const path = `${storeFile}.lock`;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
  const me = { pid: process.pid, host: options.host ?? hostname(), command, since: new Date().toISOString(), token: randomUUID() };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      mkdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const found = inspect(path);
      if (!found) continue;
      const held = heldBecause(found, me, staleMs);
      if (held !== null) throw new StoreLockedError(storeFile, found.holder, held);
      takeOver(path, found);
      continue;
    }
    try {
      writeFileSync(join(path, HOLDER_FILE), JSON.stringify(me));
    } catch (error) {
      rmSync(path, { recursive: true, force: true });
      throw error;
    }
    return new Lock(path, me, staleMs, refreshMs);
  }
  throw new Error(`could not take the lock ${path}: other processes keep taking it`);
}
