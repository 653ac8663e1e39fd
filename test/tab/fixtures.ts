// A seeded store for the tab's tests and screenshots: a member in their second membership year with a
// year of history, a second member, an administrator, and claims in every state.
import { pino } from 'pino';
import { loadCatalog } from '../../src/catalog-file.js';
import { DEFAULT_RULES_FILE, readConfig } from '../../src/config.js';
import type { Claim } from '../../src/core/claims.js';
import type { ReminderNotice } from '../../src/core/notices.js';
import { importRecords } from '../../src/services/import-records.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { Store } from '../../src/store/store.js';
import { tempDb } from '../support/temp.js';

export const NOW = Date.parse('2026-11-23T12:00:00Z');
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const ALEX = 'a1b2c3d4-0000-4000-8000-000000000001';
export const BO = 'b1b2c3d4-0000-4000-8000-000000000002';
/** An administrator who is not enrolled. */
export const CY = 'c1b2c3d4-0000-4000-8000-000000000003';
/** Signed in, but neither enrolled nor an administrator. */
export const DEE = 'd1b2c3d4-0000-4000-8000-000000000004';
/** A member whose renewal (2026-12-10) is 17 days after NOW, with a reminder sent for it. */
export const FAY = 'f1b2c3d4-0000-4000-8000-000000000006';

export const catalog = loadCatalog(DEFAULT_RULES_FILE);

const credit = (id: string, member: string, action: string, at: string, extra: Record<string, unknown> = {}) => ({ type: 'credit', id, member, action, at, ...extra });

export const SEED: unknown[] = [
  { type: 'member', id: ALEX, email: 'alex@example.com', name: 'Alex Wilber', signedUpAt: '2025-04-12' },
  { type: 'member', id: BO, email: 'bo@example.com', name: 'Bo Larsen', signedUpAt: '2026-02-01' },
  // Year 0 of Alex (2025-04-12 to 2026-04-12): 5,250 points, so Enabler is carried into year 1.
  credit('y0-1', ALEX, 'cert.configurator', '2025-05-10T09:00:00Z'),
  credit('y0-2', ALEX, 'content.retro-recipe', '2025-07-01T09:00:00Z'),
  credit('y0-3', ALEX, 'training.event', '2025-09-15T09:00:00Z', { days: 2 }),
  credit('y0-4', ALEX, 'cert.automation', '2025-11-03T09:00:00Z'),
  credit('y0-5', ALEX, 'cert.scripts-connectors', '2026-01-20T09:00:00Z'),
  // Year 1, the current one.
  credit('y1-1', ALEX, 'course.complete', '2026-04-20T08:00:00Z'),
  credit('y1-2', ALEX, 'cert.fundamentals', '2026-05-14T10:00:00Z'),
  credit('y1-3', ALEX, 'qa.answer', '2026-06-03T10:00:00Z'),
  credit('y1-4', ALEX, 'qa.answer', '2026-06-09T10:00:00Z'),
  credit('y1-5', ALEX, 'qa.answer', '2026-06-21T10:00:00Z'),
  credit('y1-6', ALEX, 'feedback.form', '2026-07-02T10:00:00Z'),
  credit('y1-7', ALEX, 'feedback.form', '2026-07-10T10:00:00Z'),
  credit('y1-8', ALEX, 'feedback.form', '2026-07-20T10:00:00Z'),
  credit('y1-9', ALEX, 'training.event', '2026-09-08T08:00:00Z', { days: 1, note: 'DataMiner Empower 2026' }),
  credit('y1-10', ALEX, 'docs.github-issue', '2026-10-02T12:00:00Z'),
  { type: 'reversal', id: 'y1-11', reverses: 'y1-5', at: '2026-10-05T12:00:00Z', note: 'Answer removed as a duplicate' },
  credit('y1-12', ALEX, 'kata.complete', '2026-11-16T12:00:00Z'),
  credit('bo-1', BO, 'cert.configurator', '2026-03-01T09:00:00Z'),
  credit('bo-2', BO, 'content.blog', '2026-06-01T09:00:00Z', { points: 4000 }),
  credit('bo-3', BO, 'cert.automation', '2026-08-01T09:00:00Z'),
  { type: 'member', id: FAY, email: 'fay@example.com', name: 'Fay Okafor', signedUpAt: '2024-12-10' },
  // Year 0 carries Advocate; 525 points in year 1 leave 225 to find before the renewal.
  credit('fay-1', FAY, 'cert.configurator', '2025-03-01T09:00:00Z'),
  credit('fay-2', FAY, 'cert.fundamentals', '2026-02-10T09:00:00Z'),
  credit('fay-3', FAY, 'qa.answer', '2026-03-01T09:00:00Z'),
];

function claim(id: string, submittedBy: string, fields: Partial<Claim>): Claim {
  return { id, kind: 'action', submittedBy, submittedAt: '2026-11-20T09:00:00.000Z', action: 'docs.typo', dates: ['2026-11-19'], status: 'pending', ...fields };
}

export const CLAIMS: Claim[] = [
  claim('claim-alex-1', ALEX, { action: 'content.blog', dates: ['2026-11-18'], submittedAt: '2026-11-19T15:30:00.000Z' }),
  claim('claim-alex-2', ALEX, {
    kind: 'attendance',
    action: 'training.internal',
    title: 'Internal automation workshop',
    role: 'trainer',
    dates: ['2026-11-12', '2026-11-13'],
    attendees: ['bo@example.com'],
    evidence: 'https://example.com/sheet.pdf',
    submittedAt: '2026-11-14T08:00:00.000Z',
  }),
  claim('claim-alex-old', ALEX, { status: 'approved', decidedBy: CY, decidedAt: '2026-11-02T08:00:00.000Z', points: 40, submittedAt: '2026-11-01T08:00:00.000Z' }),
  claim('claim-bo-1', BO, { action: 'docs.add-info', submittedAt: '2026-11-21T08:00:00.000Z' }),
];

/** Every route of the administrators' API, as [method, path] over the seed. */
export const ADMIN_ROUTES: [string, string][] = [
  ['GET', '/api/admin/overview'],
  ['GET', '/api/admin/renewals'],
  ['GET', '/api/admin/claims'],
  ['POST', '/api/admin/claims/claim-alex-1/approve'],
  ['POST', '/api/admin/claims/claim-bo-1/reject'],
  ['GET', '/api/admin/members?q=a'],
  ['GET', `/api/admin/members/${BO}`],
  ['GET', '/api/admin/exports/statuses'],
  ['GET', '/api/admin/exports/ledger?format=jsonl'],
];

/** The outbox: the 30-day reminder of Fay's renewal, sent. */
export const NOTIFICATIONS: ReminderNotice[] = [
  {
    id: `renewal-reminder:${FAY}:1:30`,
    memberId: FAY,
    kind: 'renewal-reminder',
    createdAt: '2026-11-10T08:00:00.000Z',
    delivery: 'sent',
    attempts: 1,
    sentAt: '2026-11-10T08:00:02.000Z',
    year: 1,
    daysBefore: 30,
    renewalDate: '2026-12-10',
    daysLeft: 30,
    points: 525,
    status: 'advocate',
    toKeep: 225,
    nextLevel: 'enabler',
    pointsToNextLevel: 4475,
  },
];

/** A store in a new temporary folder with SEED, CLAIMS and NOTIFICATIONS. */
export async function seededStore(): Promise<{ store: Store; file: string }> {
  const file = tempDb('tab-');
  const store = await Store.open(file, { command: 'tab test' });
  const result = await importRecords(store, catalog, SEED.map((value, i) => ({ index: i + 1, value })), { source: 'import', by: 'test' }, NOW);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  await store.transact((tx) => {
    for (const c of CLAIMS) tx.put(['claims', c]);
    for (const n of NOTIFICATIONS) tx.put(['notifications', n]);
  });
  return { store, file };
}

export interface TabServer {
  url: string;
  store: Store;
  file: string;
  server: RunningServer;
  close(): Promise<void>;
}

/** The real server on loopback over the seeded store; `env` adds TAB_* (and other) settings. */
export async function startTabServer(options: { env?: Record<string, string>; credentials?: boolean; tabDir?: string } = {}): Promise<TabServer> {
  const { store, file } = await seededStore();
  const base = readConfig({ PORT: '0', LOG_LEVEL: 'silent', ADMINS: CY, ...options.env });
  const credentials = options.credentials ? { MicrosoftAppId: '0b6b0a7e-2f63-4c1e-9d1a-3c5e8f1a2b4c', MicrosoftAppPassword: 'not-used-here' } : {};
  const server = await startServer({
    config: { ...base, credentials },
    store,
    catalog,
    log: pino({ level: 'silent' }),
    now: () => NOW,
    host: '127.0.0.1',
    ...(options.tabDir && { tabDir: options.tabDir }),
  });
  return {
    url: server.url,
    store,
    file,
    server,
    async close() {
      await server.close();
      await store.close();
    },
  };
}
