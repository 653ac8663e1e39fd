// The write lock as a lease: a live holder is refused on any host, a dead one is taken over (at once
// on this host, once its lease ran out on another), and a holder that loses its lock stops writing.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStore, Store, StoreFailedError, StoreLockedError, type StoreLog } from '../../src/store/store.js';
import { startUntilReady, stopAll } from '../support/ready.js';
import { childTmp } from '../support/temp.js';
import { journalsOf, scratchDb } from './files.js';

const member = (n: number) => ({ id: `m${n}`, email: `m${n}@example.com`, name: `Member ${n}`, signedUpAt: '2024-01-01' });

const children: ChildProcess[] = [];
const open: Store[] = [];
afterEach(async () => {
  await stopAll(children);
  for (const store of open.splice(0)) await store.close();
});

async function openStore(db: string, options: Partial<Parameters<typeof Store.open>[1]> = {}): Promise<Store> {
  const store = await Store.open(db, { command: 'lock test', ...options });
  open.push(store);
  return store;
}

const refusal = (db: string, staleMs?: number) =>
  Store.open(db, { command: 'second', ...(staleMs !== undefined && { lease: { staleMs } }) }).then(
    (store) => (open.push(store), null),
    (error: unknown) => error,
  );

const holderFile = (db: string) => join(`${db}.lock`, 'holder.json');
const holderOf = (db: string) => JSON.parse(readFileSync(holderFile(db), 'utf8')) as { pid: number; host: string; command: string };

/** A lock as another process left it: a folder naming its holder, last renewed `ageMs` ago. */
function leftLock(db: string, holder: { pid: number; host: string }, ageMs: number): void {
  mkdirSync(`${db}.lock`);
  writeFileSync(holderFile(db), JSON.stringify({ ...holder, command: 'npm start', since: '2026-01-01T00:00:00.000Z', token: 'gone' }));
  const then = new Date(Date.now() - ageMs);
  utimesSync(holderFile(db), then, then);
}

/** Resolves once `condition` holds, checking again on every turn of the event loop's timers. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

const DEAD_PID = 2 ** 22 + 12345;

describe('store lock', () => {
  it('refuses a live holder on another host while it renews its lease, and takes the lock over once the lease has run out', async () => {
    const db = scratchDb();
    await (await openStore(db)).close();
    const staleMs = 4000;
    const child = await startUntilReady([process.execPath, '--import', 'tsx', 'test/store/hold-store.ts', db, 'old-container-4f2a', String(staleMs), '100'], childTmp(), /holding (\d+)/, children);
    const acquired = statSync(holderFile(db)).mtimeMs;
    // Wait for a renewal later than the stale time after the lock was taken: only renewals keep it.
    await until(() => statSync(holderFile(db)).mtimeMs > acquired + staleMs);
    const live = await refusal(db, staleMs);
    expect(live).toBeInstanceOf(StoreLockedError);
    expect((live as Error).message).toMatch(
      new RegExp(`already open for writing by process ${child} \\(hold-store, since .*\\) on host old-container-4f2a; its lease was renewed \\d+ s ago and is taken over once it has not been renewed for 4 s`),
    );

    const holder = children.at(-1)!;
    const gone = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await gone;
    // On another host a process id says nothing: only the lease's age lets the lock go.
    expect(await refusal(db, staleMs)).toBeInstanceOf(StoreLockedError);
    const expired = new Date(Date.now() - staleMs - 1000);
    utimesSync(holderFile(db), expired, expired);
    const store = await openStore(db, { lease: { staleMs } });
    expect(holderOf(db)).toMatchObject({ pid: process.pid, host: hostname(), command: 'lock test' });
    await store.transact((tx) => tx.put(['members', member(1)]));
    await store.close();
    expect((await readStore(db)).member('m1')).toEqual(member(1));
  }, 180_000);

  it('refuses a live holder in another process on this host', async () => {
    const db = scratchDb();
    const child = await startUntilReady([process.execPath, '--import', 'tsx', 'test/store/hold-store.ts', db], childTmp(), /holding (\d+)/, children);
    const error = await refusal(db);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toContain(`already open for writing by process ${child} (hold-store, since `);
    expect((error as Error).message).toContain(`on host ${hostname()}.`);
  });

  const left: [string, () => { pid: number; host: string }, number][] = [
    ['a dead process on another host, its lease run out', () => ({ pid: 4242, host: 'old-container-4f2a' }), 60 * 60_000],
    ['a dead process on this host, at once', () => ({ pid: DEAD_PID, host: hostname() }), 0],
    ['an earlier run of this process id on this host (a restarted container), at once', () => ({ pid: process.pid, host: hostname() }), 0],
  ];
  it.each(left)('takes over a lock left by %s', async (_what, holder, ageMs) => {
    const db = scratchDb();
    await (await openStore(db)).close();
    leftLock(db, holder(), ageMs);
    const store = await openStore(db);
    await store.transact((tx) => tx.put(['members', member(1)]));
    expect(holderOf(db)).toMatchObject({ pid: process.pid, command: 'lock test' });
    await store.close();
    expect((await readStore(db)).member('m1')).toEqual(member(1));
  });

  it('takes over the lock file of an earlier version left on another host once it is older than the lease', async () => {
    const db = scratchDb();
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: 4242, host: 'old-container-4f2a', command: 'npm start', since: '2026-01-01T00:00:00Z' }));
    const fresh = await refusal(db);
    expect(fresh).toBeInstanceOf(StoreLockedError);
    expect((fresh as Error).message).toContain('by process 4242 (npm start, since 2026-01-01T00:00:00Z) on host old-container-4f2a; its lease');
    const old = new Date(Date.now() - 60 * 60_000);
    utimesSync(`${db}.lock`, old, old);
    await openStore(db);
    expect(holderOf(db).pid).toBe(process.pid);
  });

  it('refuses a lock on another host that is still within its lease, naming the holder', async () => {
    const db = scratchDb();
    leftLock(db, { pid: 4242, host: 'other-host' }, 0);
    const error = await refusal(db);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toMatch(/by process 4242 \(npm start, since 2026-01-01T00:00:00.000Z\) on host other-host; its lease was renewed \d+ s ago/);
  });

  const losses: [string, (db: string) => void][] = [
    ['removed', (db) => rmSync(`${db}.lock`, { recursive: true })],
    ['taken by another process', (db) => writeFileSync(holderFile(db), JSON.stringify({ pid: 4242, host: 'other-host', command: 'npm start', since: '2026-01-01T00:00:00Z', token: 'theirs' }))],
  ];
  it.each(losses)('stops writing once its lock is %s', async (_what, lose) => {
    const db = scratchDb();
    const errors: string[] = [];
    let reported: () => void = () => {};
    const lost = new Promise<void>((resolve) => (reported = resolve));
    const log: StoreLog = { info: () => {}, error: (_details, message) => (errors.push(message), reported()) };
    const store = await openStore(db, { lease: { refreshMs: 20, staleMs: 60_000 }, log });
    await store.transact((tx) => tx.put(['members', member(1)]));
    lose(db);
    await lost;
    expect(errors[0]).toMatch(new RegExp(`the lock ${db}.lock was lost: .*nothing more is written`));
    const journals = journalsOf(db).map((path) => readFileSync(path, 'utf8'));
    const error = await store.transact((tx) => tx.put(['members', member(2)])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreFailedError);
    expect(journalsOf(db).map((path) => readFileSync(path, 'utf8'))).toEqual(journals);
    expect((await readStore(db)).member('m2')).toBeUndefined();
  });
});
