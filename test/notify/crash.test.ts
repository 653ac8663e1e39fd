// Kills a real process with SIGKILL in the middle of a notification pass, many sends in flight, and
// checks that the next pass delivers the rest and repeats nothing acknowledged as sent.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStore } from '../../src/store/store.js';
import { StubConnector, type Recorded } from '../support/connector.js';
import { conversation, seededStore } from '../support/notify.js';
import { tempDb } from '../support/temp.js';

const MEMBERS = 250;
const AT = '2026-11-23T12:00:00Z';
const RATE = '100';

const convOf = (request: Recorded) => /\/v3\/conversations\/conv-([^/]+)\/activities/.exec(request.path)?.[1];

let connector: StubConnector;
beforeAll(async () => {
  connector = await new StubConnector().start();
  // Slow answers keep several sends in flight whenever the kill lands.
  connector.answerDelayMs = 40;
});
afterAll(async () => connector.stop());

async function prepare(): Promise<string> {
  const db = tempDb('notify-crash-');
  const ids = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
  // Signed up 2025-12-23: each member's 30-day renewal reminder is due at AT.
  const store = await seededStore(ids.map((id) => ({ type: 'member', id, email: `${id}@example.com`, name: id, signedUpAt: '2025-12-23' })), db);
  await store.transact((tx) => ids.forEach((id) => tx.put(['conversations', conversation(id, connector.url)])));
  await store.close();
  return db;
}

/** Runs one pass in a child process; with `killAfter`, SIGKILLs it once that many sends have arrived. */
function pass(db: string, killAfter?: number): Promise<'killed' | 'done'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/notify-pass.ts', db, AT, RATE], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  it.each([25, 110, 200])('delivers the rest and repeats nothing marked sent (killed after %i sends)', async (killAfter) => {
    const db = await prepare();
    connector.clear();
    expect(await pass(db, killAfter)).toBe('killed');
    const firstRun = connector.requests.map(convOf).filter((id): id is string => id !== undefined);
    const afterKill = await readStore(db);
    const marked = new Set([...afterKill.notifications.values()].filter((n) => n.delivery === 'sent').map((n) => n.memberId));
    // Everything due was written before the first send: nothing is lost with the process.
    expect(afterKill.notifications.size).toBe(MEMBERS);
    expect(marked.size).toBeGreaterThan(0);
    expect(marked.size).toBeLessThan(MEMBERS);

    connector.clear();
    expect(await pass(db)).toBe('done');
    const secondRun = connector.requests.map(convOf).filter((id): id is string => id !== undefined);

    // Nothing acknowledged as sent is sent again.
    expect(secondRun.filter((id) => marked.has(id))).toEqual([]);
    // Everyone got their reminder, and everything ends marked sent.
    expect(new Set([...firstRun, ...secondRun]).size).toBe(MEMBERS);
    const final = await readStore(db);
    expect([...final.notifications.values()].every((n) => n.delivery === 'sent')).toBe(true);
    // The one window: sends the service received whose "sent" mark was not on disk at the kill.
    const repeated = secondRun.filter((id) => firstRun.includes(id));
    expect(repeated.every((id) => !marked.has(id))).toBe(true);
    expect(repeated.length).toBeLessThanOrEqual(10);
  }, 60_000);
});
