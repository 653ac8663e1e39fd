// The real server on 127.0.0.1 with a temp store, and activity builders for the tests.
import { dirname } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { loadCatalog } from '../../src/catalog-file.js';
import { readConfig, type BotCredentials } from '../../src/config.js';
import { importRecords } from '../../src/services/import-records.js';
import type { ReadPace } from '../../src/events/route.js';
import { startServer, type OutboundCredentials, type RunningServer } from '../../src/server.js';
import { Store } from '../../src/store/store.js';
import { StubConnector, type TeamsUser } from './connector.js';
import { cardText } from './card-text.js';
import { removeDir, tempDb } from './temp.js';

export const NOW = Date.parse('2026-11-23T12:00:00Z');

export interface BotHarness {
  url: string;
  store: Store;
  connector: StubConnector;
  server: RunningServer;
  post(activity: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export interface BotOptions {
  seed?: unknown[];
  admins?: string[];
  credentials?: BotCredentials;
  users?: TeamsUser[];
  /** More environment for readConfig (e.g. EVENTS_SECRET). */
  env?: Record<string, string>;
  eventsReadDeadlineMs?: number;
  bodyDeadlineMs?: number;
  eventsReadPace?: ReadPace;
  /** How the bot signs what it sends in auth mode (see OutboundCredentials). */
  outboundCredentials?: OutboundCredentials;
}

export async function startBot(options: BotOptions = {}): Promise<BotHarness> {
  const connector = await new StubConnector().start();
  for (const user of options.users ?? []) connector.users.set(user.id, user);
  const catalog = loadCatalog(readConfig({}).rulesFile);
  const store = await Store.open(tempDb('bot-'), { command: 'bot test' });
  if (options.seed) {
    const result = await importRecords(store, catalog, options.seed.map((value, i) => ({ index: i + 1, value })), { source: 'import', by: 'test' }, NOW);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
  }
  const config = { ...readConfig({ PORT: '0', LOG_LEVEL: 'silent', ...options.env }), admins: new Set((options.admins ?? []).map((a) => a.toLowerCase())), credentials: options.credentials ?? {} };
  const server = await startServer({ config, store, catalog, log: pino({ level: 'silent' }), now: () => NOW, host: '127.0.0.1', ...(options.eventsReadDeadlineMs !== undefined && { eventsReadDeadlineMs: options.eventsReadDeadlineMs }), ...(options.eventsReadPace && { eventsReadPace: options.eventsReadPace }), ...(options.bodyDeadlineMs !== undefined && { bodyDeadlineMs: options.bodyDeadlineMs }), ...(options.outboundCredentials && { outboundCredentials: options.outboundCredentials }) });
  return {
    url: server.url,
    store,
    connector,
    server,
    async post(activity, headers = {}) {
      const response = await fetch(`${server.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof activity === 'string' ? activity : JSON.stringify(activity),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body };
    },
    async close() {
      await server.close();
      await store.close();
      await connector.stop();
    },
  };
}

/** Closes the harness and removes its store folder: tests leave nothing behind. */
export async function discard(harness: BotHarness | undefined): Promise<void> {
  if (!harness) return;
  await harness.close();
  removeDir(dirname(harness.store.file));
}

/** A new harness for each test of the file, discarded after it; call the result inside a test. */
export function botPerTest(options: BotOptions = {}): () => BotHarness {
  let harness: BotHarness | undefined;
  beforeEach(async () => {
    harness = await startBot(options);
  });
  afterEach(async () => {
    await discard(harness);
    harness = undefined;
  });
  return () => {
    if (!harness) throw new Error('the bot harness exists only while a test runs');
    return harness;
  };
}

let counter = 0;

export interface Speaker {
  id: string;
  aadObjectId: string;
  name: string;
}

/** An activity from `from`, whose replies go to the harness's connector (any object with one: several bots may share it). */
export function activity(harness: Pick<BotHarness, 'connector'>, from: Speaker, fields: Record<string, unknown>, conversation = { id: `conv-${from.id}`, conversationType: 'personal' }) {
  counter += 1;
  return {
    type: 'message',
    id: `act-${counter}`,
    channelId: 'msteams',
    serviceUrl: harness.connector.url,
    timestamp: new Date(NOW).toISOString(),
    from,
    recipient: { id: '28:bot', name: 'DevOps Points' },
    conversation,
    channelData: { tenant: { id: 'tenant-1' } },
    ...fields,
  };
}

export const message = (h: Pick<BotHarness, 'connector'>, from: Speaker, text: string) => activity(h, from, { text });

export function invoke(h: Pick<BotHarness, 'connector'>, from: Speaker, verb: string, data: Record<string, unknown>) {
  return activity(h, from, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } });
}

export { cardText };

/** What the bot sent, as text a person would read (message text and card text). */
export function readable(activities: Record<string, unknown>[]): string {
  return activities
    .map((a) => [typeof a.text === 'string' ? a.text : '', ...((a.attachments as { content: unknown }[] | undefined) ?? []).map((att) => cardText(att.content))].join('\n'))
    .join('\n---\n');
}
