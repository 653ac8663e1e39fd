// The notify command: a dry run prints what is due as JSON lines and changes nothing; a real pass
// sends through botbuilder to the stub connector, once.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { cliAt } from '../support/cli.js';
import { StubConnector } from '../support/connector.js';
import { conversation, seededStore } from '../support/notify.js';

const NOW = new Date('2026-11-23T12:00:00Z');

const run = cliAt(NOW);
async function cli(args: string[]) {
  const result = await run(args, { LOG_LEVEL: 'silent' });
  return { ...result, lines: result.out.trim() ? result.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : [] };
}

let connector: StubConnector;
let db: string;
beforeEach(async () => {
  connector = await new StubConnector().start();
  // Ann renews on 2026-12-23 (the 30-day reminder is due today); Bob never talked to the bot.
  const store = await seededStore([
    { type: 'member', id: 'ann', email: 'ann@example.com', name: 'Ann', signedUpAt: '2025-12-23' },
    { type: 'member', id: 'bob', email: 'bob@example.com', name: 'Bob', signedUpAt: '2025-12-23' },
  ]);
  await store.transact((tx) => tx.put(['conversations', conversation('ann', connector.url)]));
  db = store.file;
  await store.close();
});
afterEach(async () => connector.stop());

const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('notify', () => {
  it('--dry-run prints what is due as JSON lines and changes nothing', async () => {
    const before = hash(db);
    const result = await cli(['--db', db, 'notify', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.lines).toEqual([
      expect.objectContaining({ member: 'ann', kind: 'renewal-reminder', key: 'renewal-reminder:ann:0:30', state: 'new', daysLeft: 30, renewalDate: '2026-12-23' }),
      expect.objectContaining({ member: 'bob', kind: 'renewal-reminder', key: 'renewal-reminder:bob:0:30', state: 'no-conversation' }),
    ]);
    expect(result.err).toContain('Nothing was sent');
    expect(hash(db)).toBe(before);
    expect(connector.requests).toEqual([]);
  });

  it('--dry-run --at previews another day', async () => {
    const result = await cli(['--db', db, 'notify', '--dry-run', '--at', '2026-12-16']);
    expect(result.lines.map((l) => l.key)).toEqual(['renewal-reminder:ann:0:7', 'renewal-reminder:bob:0:7']);
  });

  it('a real pass sends once and reports; the next pass sends nothing', async () => {
    const first = await cli(['--db', db, 'notify']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.lines[0]).toMatchObject({ firstPass: true, queued: 1, noConversation: 1, sent: 1, failed: 0 });
    expect(connector.sent()).toHaveLength(1);
    const second = await cli(['--db', db, 'notify']);
    expect(second.lines[0]).toMatchObject({ firstPass: false, queued: 0, sent: 0 });
    expect(connector.sent()).toHaveLength(1);
    // The window starts at the last pass: Bob's reminder was counted then, and is not due again.
    const dry = await cli(['--db', db, 'notify', '--dry-run']);
    expect(dry.lines).toEqual([]);
  });

  it('refuses a sending pass in the future, a bad --at, extra words, a missing store and a store in use', async () => {
    const cases: [string[], string][] = [
      [['--db', db, 'notify', '--at', '2026-12-16'], 'cannot run in the future'],
      [['--db', db, 'notify', '--dry-run', '--at', 'tomorrow'], '--at must be a date'],
      [['--db', db, 'notify', 'now'], 'Expected: notify'],
      [['--db', `${db}.missing`, 'notify'], 'There is no store'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.err).toContain(message);
    }
    const holder = await Store.open(db, { command: 'npm start' });
    try {
      const locked = await cli(['--db', db, 'notify']);
      expect(locked.code).toBe(1);
      expect(locked.err).toContain('The store cannot be used');
      // A preview needs no lock: it works beside the running bot.
      expect((await cli(['--db', db, 'notify', '--dry-run'])).code).toBe(0);
    } finally {
      await holder.close();
    }
    expect(connector.requests).toEqual([]);
  });
});
