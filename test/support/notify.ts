// Helpers for notification tests: a seeded store, stored conversation references pointing at the
// stub connector, the real botbuilder transport, and a virtual clock for waits.
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { pino } from 'pino';
import { loadCatalog } from '../../src/catalog-file.js';
import { readConfig, type NotifyConfig } from '../../src/config.js';
import type { Catalog } from '../../src/core/catalog.js';
import { BotTransport } from '../../src/notify/transport.js';
import { importRecords } from '../../src/services/import-records.js';
import type { ConversationRecord } from '../../src/store/schema.js';
import { Store } from '../../src/store/store.js';
import { tempDb } from './temp.js';

export const catalog: Catalog = loadCatalog(readConfig({}).rulesFile);
export const quiet = pino({ level: 'silent' });

export async function seededStore(records: unknown[], file = tempDb('notify-')): Promise<Store> {
  const store = await Store.open(file, { command: 'notify test' });
  const result = await importRecords(store, catalog, records.map((value, i) => ({ index: i + 1, value })), { source: 'import', by: 'test' }, Date.parse('2026-11-23T12:00:00Z'));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return store;
}

/** A personal conversation with the bot for a member, served by the connector at `serviceUrl`. */
export function conversation(memberId: string, serviceUrl: string, conversationId = `conv-${memberId}`): ConversationRecord {
  return {
    id: `aad-${memberId}`,
    memberId,
    reference: {
      channelId: 'msteams',
      serviceUrl,
      conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
      user: { id: `29:${memberId}`, aadObjectId: `aad-${memberId}` },
      bot: { id: '28:bot', name: 'DevOps Points' },
    },
    savedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** botbuilder's transport, as the bot uses it, in local mode (no credentials). */
export function botTransport(): BotTransport {
  return new BotTransport(new CloudAdapter(new ConfigurationBotFrameworkAuthentication({})), '');
}

export const settings = (overrides: Partial<NotifyConfig> = {}): NotifyConfig => ({ reminderDays: [30, 7, 1], everyMs: 0, rate: 1000, maxAttempts: 3, ...overrides });

/**
 * Waits recorded and skipped: virtual time moves forward by each wait, so pacing and backoff are
 * checked by what was asked for, not by how long the test took.
 */
export function virtualClock(start: number) {
  let now = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      const until = now + ms;
      await new Promise((resolve) => setImmediate(resolve));
      now = Math.max(now, until);
    },
    random: () => 0.5,
  };
}
