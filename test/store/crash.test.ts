// Kills a real writing process with SIGKILL at random moments and checks that the store is valid,
// holds every acknowledged batch, and holds every batch whole or not at all: on the JSON store (its
// journal, compactions and lock takeover) and on PostgreSQL (a transaction cut off by the kill).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childTmp } from '../support/temp.js';
import { storeAdapters } from './adapters.js';

/** Kills per adapter: the JSON store has more ways to recover (journals, compaction, the lock). */
const ITERATIONS = { json: 50, postgres: 10 };

interface Run {
  begun: Map<number, number>;
  acked: Set<number>;
  next: number;
}

/** Resolves once the writer has exited (killed). */
function runAndKill(db: string, first: number, delayMs: number, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/crash-writer.ts', db, String(first)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { begun: new Map(), acked: new Set(), next: first };
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const [word, n, size] = buffer.slice(0, newline).split(' ');
        buffer = buffer.slice(newline + 1);
        if (word === 'ready') setTimeout(() => child.kill('SIGKILL'), delayMs);
        if (word === 'begin') {
          run.begun.set(Number(n), Number(size));
          run.next = Math.max(run.next, Number(n) + 1);
        }
        if (word === 'ack') run.acked.add(Number(n));
      }
    });
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer ended on its own: ${stderr}`));
      else resolve(run);
    });
  });
}

describe.each(storeAdapters())('the $name store under SIGKILL', (adapter) => {
  const iterations = ITERATIONS[adapter.name];
  it(`keeps every acknowledged batch and never half a batch (${iterations} kills)`, async () => {
    let db = '';
    // One temp folder for every writer, so they share tsx's cache.
    const env = { ...process.env, ...childTmp() };
    const begun = new Map<number, number>();
    const acked = new Set<number>();
    let next = 1;
    let kills = 0;
    let totalAcked = 0;
    for (let i = 0; i < iterations; i += 1) {
      // Ten kills in a row on one store (recovery after recovery), then a fresh store to keep the run short.
      if (i % 10 === 0) {
        if (db) {
          const state = await adapter.read(db);
          for (const n of acked) expect(state.entriesOf(`m${n}`).length + 1, `batch ${n}`).toBe(begun.get(n));
        }
        db = await adapter.fresh();
        acked.clear();
        begun.clear();
      }
      // Spread the kills from right after the start to well into a run of writes and compactions.
      const run = await runAndKill(db, next, Math.floor(Math.random() * 400), env);
      kills += 1;
      run.begun.forEach((size, n) => begun.set(n, size));
      run.acked.forEach((n) => acked.add(n));
      totalAcked += run.acked.size;
      next = run.next;

      const state = await adapter.read(db);
      for (const [n, size] of run.begun) {
        const present = (state.member(`m${n}`) ? 1 : 0) + state.entriesOf(`m${n}`).length;
        expect([0, size], `batch ${n} after kill ${i}`).toContain(present);
        if (run.acked.has(n)) expect(present, `acknowledged batch ${n} after kill ${i}`).toBe(size);
      }
      // The next writer takes over the dead one's lock and compacts what it left.
      await (await adapter.open(db)).close();
    }
    const state = await adapter.read(db);
    for (const n of acked) expect(state.entriesOf(`m${n}`).length + 1, `batch ${n}`).toBe(begun.get(n));
    expect(kills).toBe(iterations);
    expect(totalAcked).toBeGreaterThan(iterations);
  }, 300_000);
});
