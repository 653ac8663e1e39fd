// Kills a real process with SIGKILL in the middle of a notification pass, many sends in flight, and
// checks that the next pass delivers the rest, repeats nothing acknowledged as sent, and repeats at
// most the sends that were in flight. The kill lands at a count of requests the stub connector has
// received, never after a time, so a slow machine only makes the test slower.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENDS_IN_FLIGHT } from '../../src/notify/deliver.js';
import { readStore } from '../../src/store/store.js';
import { StubConnector, type Recorded } from '../support/connector.js';
import { conversation, seededStore } from '../support/notify.js';
import { childTmp, tempDb } from '../support/temp.js';

const MEMBERS = 250;
const AT = '2026-11-23T12:00:00Z';
// Far above any real pace: only the window of sends in flight holds the sends back.
const RATE = '1000';

const convOf = (request: Recorded) => /\/v3\/conversations\/conv-([^/]+)\/activities/.exec(request.path)?.[1];

let connector: StubConnector;
beforeAll(async () => {
  connector = await new StubConnector().start();
  // Slow answers keep the window full whenever the kill lands.
  connector.answerDelayMs = 20;
});
afterAll(async () => connector.stop());
// One temp folder for every pass, so they share tsx's cache.
const PASS_ENV = { ...process.env, ...childTmp() };

async function prepare(): Promise<string> {
  const db = tempDb('notify-crash-');
  const ids = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
  // Signed up 2025-12-23: each member's 30-day renewal reminder is due at AT.
  const store = await seededStore(ids.map((id) => ({ type: 'member', id, email: `${id}@example.com`, name: id, signedUpAt: '2025-12-23' })), db);
  await store.transact((tx) => ids.forEach((id) => tx.put(['conversations', conversation(id, connector.url)])));
  await store.close();
  return db;
}

/** Runs one pass in a child process; with `killAfter`, SIGKILLs it as the connector receives that many sends. Resolves once it has exited. */
function pass(db: string, killAfter?: number): Promise<'killed' | 'done'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/notify-pass.ts', db, AT, RATE], { env: PASS_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const previous = connector.respond;
    let seen = 0;
    connector.respond = () => {
      seen += 1;
      if (killAfter !== undefined && seen === killAfter) child.kill('SIGKILL');
      return undefined;
    };
    child.on('close', (code, signal) => {
      connector.respond = previous;
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && killAfter === undefined) resolve('done');
      else reject(new Error(`the pass ended with ${code ?? signal} (${seen} sends seen): ${stderr}`));
    });
  });
}

describe('a notification pass under SIGKILL', () => {
  it.each([25, 110, 200])('delivers the rest and repeats at most the sends in flight (killed at send %i)', async (killAfter) => {
    const db = await prepare();
    connector.clear();
    expect(await pass(db, killAfter)).toBe('killed');
    const firstRun = connector.requests.map(convOf).filter((id): id is string => id !== undefined);
    const afterKill = await readStore(db);
    const marked = new Set([...afterKill.notifications.values()].filter((n) => n.delivery === 'sent').map((n) => n.memberId));
    // Everything due was written before the first send: nothing is lost with the process.
    expect(afterKill.notifications.size).toBe(MEMBERS);
    // When send number killAfter left, every send but the last SENDS_IN_FLIGHT had its mark on disk;
    // a mark comes only after an answer, and every answer came before the kill.
    expect(marked.size).toBeGreaterThanOrEqual(killAfter - SENDS_IN_FLIGHT);
    expect(marked.size).toBeLessThan(killAfter);

    connector.clear();
    expect(await pass(db)).toBe('done');
    const secondRun = connector.requests.map(convOf).filter((id): id is string => id !== undefined);

    // Nothing acknowledged as sent is sent again.
    expect(secondRun.filter((id) => marked.has(id))).toEqual([]);
    // Everyone got their reminder once per run, and everything ends marked sent.
    expect(new Set(firstRun).size).toBe(firstRun.length);
    expect(new Set(secondRun).size).toBe(secondRun.length);
    expect(new Set([...firstRun, ...secondRun]).size).toBe(MEMBERS);
    const final = await readStore(db);
    expect([...final.notifications.values()].every((n) => n.delivery === 'sent')).toBe(true);
    // The one window: sends the service received whose mark was not on disk at the kill, at most
    // the sends in flight.
    const repeated = secondRun.filter((id) => firstRun.includes(id));
    expect(repeated.sort()).toEqual(firstRun.filter((id) => !marked.has(id)).sort());
    expect(repeated.length).toBeLessThanOrEqual(SENDS_IN_FLIGHT);
  }, 300_000);
});
