// The import service with partner records: mixed with the DevOps records in one batch, all or nothing,
// every bad line named, a second import a no-op.
import { describe, expect, it } from 'vitest';
import { partnerStatus } from '../../src/core/partners.js';
import { importRecords, type BatchResult, type BatchSummary } from '../../src/services/import-records.js';
import type { PointsStore } from '../../src/store/contract.js';
import { defaultCatalog } from '../support/catalog.js';
import { storeAdapters } from '../store/adapters.js';

const catalog = defaultCatalog();
const origin = { source: 'import' as const, by: 'test' };
const NOW = Date.parse('2025-06-15T10:00:00Z');

const run = (store: PointsStore, records: unknown[], now = NOW): Promise<BatchResult> =>
  importRecords(store, catalog, records.map((value, i) => ({ index: i + 1, value })), origin, now);

function summaryOf(result: BatchResult): BatchSummary {
  if (!result.ok) throw new Error(`expected an import, got ${JSON.stringify(result.problems)}`);
  return result.summary;
}

/** Everything the store holds, to compare before and after a refused import. */
function contents(store: PointsStore) {
  return JSON.stringify(store.state.collections());
}

const acme = { type: 'partner', id: 'p-acme', name: 'Acme Media' };
const ann = { type: 'member', id: 'ann', email: 'ann@acme.example', name: 'Ann', signedUpAt: '2024-01-10', partnerId: 'p-acme' };
const activity = (id: string, fields: Record<string, unknown> = {}) => ({
  type: 'partner-activity',
  id,
  partner: 'p-acme',
  metric: 'technical.certification',
  at: '2025-03-01T10:00:00Z',
  ...fields,
});
const deal = (id: string, dealId: string, status: string, at: string) => activity(id, { metric: 'business.deal', deal: dealId, status, at });

const file = [
  acme,
  ann,
  { type: 'credit', id: 'c1', member: 'ann', action: 'cert.automation', at: '2025-03-03T10:00:00Z' },
  activity('a1', { count: 2 }),
  activity('a2', { metric: 'technical.downloads', count: 7, at: '2025-04-02T10:00:00Z' }),
  deal('d1-reg', 'D-1', 'registered', '2025-02-01T10:00:00Z'),
  deal('d1-won', 'D-1', 'won', '2025-05-01T10:00:00Z'),
  { type: 'partner', id: 'p-beta', name: 'Beta Broadcast', legacyLevel: { business: 'creator' } },
];

// The same cases on every adapter of the store: the JSON file and PostgreSQL.
describe.each(storeAdapters())('on the $name store', (adapter) => {
  const newStore = async () => adapter.open(await adapter.fresh());

  describe('importing partner records', () => {
    it('imports partners, their people and activities mixed with DevOps records in one file, and counts them', async () => {
      const store = await newStore();
      const summary = summaryOf(await run(store, file));
      expect(summary).toEqual({
        records: 8,
        new: { member: 1, credit: 1, reversal: 0, partner: 2, 'partner-activity': 4 },
        known: { member: 0, credit: 0, reversal: 0, partner: 0, 'partner-activity': 0 },
        entries: 1,
        points: 750,
      });
      const { state } = store;
      expect(state.partner('p-acme')).toEqual({ id: 'p-acme', name: 'Acme Media' });
      expect(state.activity('a1')).toEqual({
        id: 'a1',
        partnerId: 'p-acme',
        metric: 'technical.certification',
        at: '2025-03-01T10:00:00.000Z',
        count: 2,
        source: 'import',
        by: 'test',
      });
      expect(state.dealEvents('p-acme', 'D-1').map((a) => a.status)).toEqual(['registered', 'won']);
      expect(state.membersOf('p-acme').map((m) => m.id)).toEqual(['ann']);
      // A legacy level holds from the import instant until the end of the next year.
      expect(state.partner('p-beta')).toMatchObject({ legacyLevel: { business: 'creator' }, legacyAt: '2025-06-15T10:00:00.000Z', legacyValidUntil: '2026-12-31' });

      // 20 (certifications) + 10 (7 downloads: one full 5) + 5 (750 DevOps Points: one full 500) technical; 50 business (the won deal).
      const status = partnerStatus(catalog, state.partnerInput('p-acme')!, NOW);
      expect(status.tracks.technical).toMatchObject({ credits: 35, level: 'collaborator' });
      expect(status.tracks.business).toMatchObject({ credits: 50, level: 'collaborator' });
    });

    it('is a no-op when the same file is imported again, later: every record known, nothing written', async () => {
      const store = await newStore();
      summaryOf(await run(store, file));
      const before = contents(store);
      const again = summaryOf(await run(store, file, Date.parse('2026-02-01T10:00:00Z')));
      expect(again).toEqual({
        records: 8,
        new: { member: 0, credit: 0, reversal: 0, partner: 0, 'partner-activity': 0 },
        known: { member: 1, credit: 1, reversal: 0, partner: 2, 'partner-activity': 4 },
        entries: 0,
        points: 0,
      });
      expect(contents(store)).toEqual(before);
    });

    it('accepts a deal registered in one import and won in a later one', async () => {
      const store = await newStore();
      summaryOf(await run(store, [acme, deal('d2-reg', 'D-2', 'registered', '2025-02-01T10:00:00Z')]));
      expect(summaryOf(await run(store, [deal('d2-lost', 'D-2', 'lost', '2025-03-01T10:00:00Z')])).new['partner-activity']).toBe(1);
      expect(store.state.dealEvents('p-acme', 'D-2').map((a) => a.status)).toEqual(['registered', 'lost']);
    });

    it('keeps accepting a stored member whose partner is not known (written before partners existed)', async () => {
      const store = await newStore();
      await store.transact((tx) => tx.put(['members', { id: 'old', email: 'old@example.com', name: 'Old', signedUpAt: '2024-01-01', partnerId: 'p-gone' }]));
      const summary = summaryOf(await run(store, [{ type: 'member', id: 'old', email: 'old@example.com', name: 'Old', signedUpAt: '2024-01-01', partnerId: 'p-gone' }]));
      expect(summary.known.member).toBe(1);
    });
  });

  describe('a batch: each partner record sees the ones before it', () => {
    it('accepts a partner, then a deal registered and won at the same instant, in one file', async () => {
      const store = await newStore();
      const summary = summaryOf(await run(store, [acme, deal('r', 'D-4', 'registered', '2025-02-01T10:00:00Z'), deal('w', 'D-4', 'won', '2025-02-01T11:00:00+01:00')]));
      expect(summary.new).toMatchObject({ partner: 1, 'partner-activity': 2 });
      expect(store.state.dealEvents('p-acme', 'D-4').map((a) => [a.id, a.status])).toEqual([['r', 'registered'], ['w', 'won']]);
    });

    it('is a no-op when the same file comes again from someone else', async () => {
      const store = await newStore();
      summaryOf(await run(store, file));
      const before = contents(store);
      const again = await importRecords(store, catalog, file.map((value, i) => ({ index: i + 1, value })), { source: 'api', by: 'someone-else' }, NOW);
      expect(summaryOf(again).known).toEqual({ member: 1, credit: 1, reversal: 0, partner: 2, 'partner-activity': 4 });
      expect(contents(store)).toEqual(before);
    });

    const other = { type: 'partner', id: 'p-other', name: 'Other Co' };
    it.each([
      ['a win listed before its registration', [acme, deal('w', 'D-4', 'won', '2025-03-01T10:00:00Z'), deal('r', 'D-4', 'registered', '2025-02-01T10:00:00Z')], 2, 'deal D-4 of partner p-acme cannot be won: it was never registered'],
      ['a deal registered twice', [acme, deal('r', 'D-4', 'registered', '2025-02-01T10:00:00Z'), deal('r2', 'D-4', 'registered', '2025-02-05T10:00:00Z')], 3, 'deal D-4 of partner p-acme was already registered on 2025-02-01 (activity r)'],
      [
        'a deal won, then lost',
        [acme, deal('r', 'D-4', 'registered', '2025-02-01T10:00:00Z'), deal('w', 'D-4', 'won', '2025-03-01T10:00:00Z'), deal('l', 'D-4', 'lost', '2025-03-02T10:00:00Z')],
        4,
        'deal D-4 of partner p-acme was already won on 2025-03-01 (activity w)',
      ],
      [
        'a win of a deal another partner registered',
        [acme, other, activity('r', { partner: 'p-other', metric: 'business.deal', deal: 'D-4', status: 'registered', at: '2025-02-01T10:00:00Z' }), deal('w', 'D-4', 'won', '2025-03-01T10:00:00Z')],
        4,
        'deal D-4 of partner p-acme cannot be won: it was never registered',
      ],
      ['an activity id used twice with other content', [acme, activity('x'), activity('x', { count: 2 })], 3, 'partner activity id x is already used by a different activity'],
    ] as [string, unknown[], number, string][])('refuses %s, naming the later line', async (_what, records, index, message) => {
      const store = await newStore();
      expect(await run(store, records)).toEqual({ ok: false, problems: [{ index, message: expect.stringContaining(message) }] });
      expect(store.state.partners.size).toBe(0);
    });
  });

  describe('refusing bad partner lines: every one named, nothing imported', () => {
    const bad: [string, unknown, string][] = [
      ['an unknown metric', activity('x1', { metric: 'technical.webinars' }), 'unknown partner metric "technical.webinars" (the catalog has technical.certification'],
      ['a metric computed from DevOps Points', activity('x1', { metric: 'technical.devops-points' }), 'technical.devops-points is computed from the DevOps Points'],
      ['an unknown partner', activity('x1', { partner: 'p-nobody' }), 'no partner with id "p-nobody" (import the partner first)'],
      ['a negative count', activity('x1', { count: -2 }), '"count" must be a whole number above 0'],
      ['a zero count', activity('x1', { count: 0 }), '"count" must be a whole number above 0'],
      ['a deal won that was never registered', deal('x1', 'D-9', 'won', '2025-05-01T10:00:00Z'), 'deal D-9 of partner p-acme cannot be won: it was never registered'],
      ['a deal won twice', deal('x1', 'D-1', 'won', '2025-05-02T10:00:00Z'), 'deal D-1 of partner p-acme was already won on 2025-05-01 (activity d1-won)'],
      ['a deal registered twice', deal('x1', 'D-1', 'registered', '2025-05-02T10:00:00Z'), 'deal D-1 of partner p-acme was already registered'],
      ['a deal without its id', activity('x1', { metric: 'business.deal', status: 'won' }), 'business.deal needs "deal"'],
      ['deal fields on another metric', activity('x1', { deal: 'D-1', status: 'won' }), 'technical.certification does not take "deal" or "status"'],
      ['an activity id used with different content', activity('a1', { count: 3 }), 'partner activity id a1 is already used by a different activity'],
      ['a partner id used with another name', { ...acme, name: 'Acme' }, 'partner p-acme already exists with a different name'],
      ['a legacy level that does not exist', { type: 'partner', id: 'p-new', name: 'New', legacyLevel: { technical: 'gold' } }, '"legacyLevel.technical" must be member, collaborator, creator'],
      ['a member naming an unknown partner', { ...ann, id: 'bob', email: 'bob@example.com', partnerId: 'p-nobody' }, 'member bob names partner "p-nobody", which is not known'],
      ['an unknown record type', { type: 'partners', id: 'p-new', name: 'New' }, '"type" must be "member", "credit", "reversal", "partner" or "partner-activity"'],
      ['a record that is not an object', ['partner'], 'must be a JSON object whose "type" is "member", "credit", "reversal", "partner" or "partner-activity"'],
    ];

    it.each(bad)('refuses %s, naming its line, and imports nothing', async (_what, record, message) => {
      const store = await newStore();
      summaryOf(await run(store, file));
      const before = contents(store);
      // Good lines around the bad one prove all-or-nothing.
      const result = await run(store, [{ type: 'partner', id: 'p-good', name: 'Good Co' }, activity('good1'), record, activity('good2')]);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]!.index).toBe(3);
      expect(result.problems[0]!.message).toContain(message);
      expect(contents(store)).toEqual(before);
      expect(store.state.partner('p-good')).toBeUndefined();
    });

    it('names every bad line of a file, partner and DevOps lines alike', async () => {
      const store = await newStore();
      const result = await run(store, [
        acme,
        activity('b1', { metric: 'business.webinar' }),
        deal('b2', 'D-5', 'won', '2025-05-01T10:00:00Z'),
        activity('b3', { count: -1 }),
        activity('b4', { partner: 'p-unknown' }),
        { type: 'credit', id: 'b5', member: 'nobody', action: 'qa.ask', at: '2025-03-01T10:00:00Z' },
        { ...ann, partnerId: 'p-later' },
        { type: 'partner', id: 'p-later', name: 'Later Co' },
        activity('b8'),
      ]);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.problems.map((p) => p.index)).toEqual([2, 3, 4, 5, 6, 7]);
      expect(store.state.partners.size).toBe(0);
      expect(store.state.partnerActivities.size).toBe(0);
      expect(store.state.members.size).toBe(0);
    });

    it('refuses a deal won before its registration', async () => {
      const store = await newStore();
      const result = await run(store, [acme, deal('r', 'D-3', 'registered', '2025-04-01T10:00:00Z'), deal('w', 'D-3', 'won', '2025-03-01T10:00:00Z')]);
      expect(result).toEqual({
        ok: false,
        problems: [{ index: 3, message: 'deal D-3 of partner p-acme cannot be won at 2025-03-01T10:00:00.000Z, before its registration at 2025-04-01T10:00:00.000Z' }],
      });
    });
  });
});
