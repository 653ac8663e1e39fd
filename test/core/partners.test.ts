// Partner credits, levels, discount and spending caps (PROGRAM.md section 4), and the catalog's partner section.
import { describe, expect, it } from 'vitest';
import { parseCatalog, type Catalog, type OrderKind } from '../../src/core/catalog.js';
import type { Partner, PartnerActivity } from '../../src/core/partner-records.js';
import { partnerStatus, redeem, type DevopsCredit, type PartnerStatus, type Redemption } from '../../src/core/partners.js';
import { catalogFrom, defaultCatalog, defaultCatalogJson } from '../support/catalog.js';

type Json = Record<string, unknown>;

const catalog = defaultCatalog();
const acme: Partner = { id: 'p-acme', name: 'Acme Media' };

interface Step {
  metric: string;
  at: string;
  count?: number;
  deal?: string;
  status?: 'registered' | 'won' | 'lost';
}

/** Activities as the import stores them; ids a1, a2, … in the order given. */
function activities(steps: readonly Step[], partnerId = acme.id): PartnerActivity[] {
  return steps.map((step, i) => ({
    id: `a${i + 1}`,
    partnerId,
    metric: step.metric,
    at: new Date(Date.parse(step.at)).toISOString(),
    count: step.count ?? 1,
    ...(step.deal !== undefined && { deal: step.deal }),
    ...(step.status !== undefined && { status: step.status }),
    source: 'import' as const,
    by: 'tester',
  }));
}

const points = (list: readonly (readonly [string, number])[]): DevopsCredit[] => list.map(([at, p]) => ({ at, points: p }));

interface Options {
  devops?: DevopsCredit[];
  partner?: Partner;
  on?: Catalog;
}

function statusAt(steps: readonly Step[], at: string, options: Options = {}): PartnerStatus {
  const partner = options.partner ?? acme;
  return partnerStatus(options.on ?? catalog, { partner, activities: activities(steps, partner.id), devops: options.devops ?? [] }, Date.parse(at));
}

function metricOf(status: PartnerStatus, id: string) {
  const found = [...status.tracks.technical.metrics, ...status.tracks.business.metrics].find((m) => m.metric === id);
  if (!found) throw new Error(`no metric ${id} in the status`);
  return found;
}

function variant(change: (partner: Json) => void): Catalog {
  const raw = defaultCatalogJson();
  change(raw.partner as Json);
  return catalogFrom(raw);
}

// ---------------------------------------------------------------------------------------------
// The catalog's partner section.

describe('the default catalog: partner section', () => {
  it('carries the figures of PROGRAM.md section 4', () => {
    const { partner } = catalog;
    expect(partner.startsAt).toBe('2024-05-01');
    expect(partner.levels.map((l) => [l.id, l.credits])).toEqual([
      ['member', 0],
      ['collaborator', 25],
      ['creator', 75],
    ]);
    expect(partner.spendingCaps).toEqual({ 'end-customer': 5, 'self-use': 25, training: 50 });
  });

  it('leaves the discount rates and the credit value to the administrator, saying so', () => {
    const { partner } = catalog;
    expect(partner.discountPercent).toEqual({ member: null, collaborator: null, creator: null });
    expect(partner.creditValue).toEqual({ amount: null, currency: 'EUR' });
    expect(partner.note).toMatch(/administrator/);
  });

  const metricRows: [string, Json][] = [
    ['technical.certification', { track: 'technical', kind: 'each', credits: 10 }],
    ['technical.devops-points', { track: 'technical', kind: 'devops-points', credits: 5, per: 500 }],
    ['technical.downloads', { track: 'technical', kind: 'per-full-n-per-month', credits: 10, per: 5 }],
    ['technical.demo-lab', { track: 'technical', kind: 'once-per-year', credits: 10 }],
    ['business.event', { track: 'business', kind: 'each', credits: 50 }],
    ['business.customer-meeting', { track: 'business', kind: 'each', credits: 1 }],
    ['business.website', { track: 'business', kind: 'once-per-year', credits: 10 }],
    ['business.dojo-profile', { track: 'business', kind: 'once-per-year', credits: 10 }],
    ['business.blog-or-pr', { track: 'business', kind: 'each', credits: 10 }],
    ['business.linkedin-post', { track: 'business', kind: 'per-full-n-per-month', credits: 5, per: 2, monthlyMax: 5 }],
    ['business.sales-target', { track: 'business', kind: 'once-per-year', credits: 50 }],
    ['business.new-customer', { track: 'business', kind: 'each', credits: 100 }],
    ['business.deal', { track: 'business', kind: 'deal', credits: 50 }],
  ];

  it('has exactly the 13 metrics of PROGRAM.md', () => {
    expect(catalog.partner.metrics.map((m) => m.id).sort()).toEqual(metricRows.map(([id]) => id).sort());
  });

  it.each(metricRows)('has %s as PROGRAM.md describes it', (id, rule) => {
    expect(catalog.partner.metrics.find((m) => m.id === id)).toMatchObject(rule);
  });
});

describe('an invalid partner section', () => {
  const metrics = (p: Json) => p.metrics as Json[];
  const levels = (p: Json) => p.levels as Json[];
  const variants: [string, (p: Json) => void, string][] = [
    ['levels out of order', (p) => levels(p).reverse(), 'partner.levels[0]: expected "member", found "creator"'],
    ['a member level that needs credits', (p) => Object.assign(levels(p)[0]!, { credits: 5 }), "partner.levels[0] (member): the first level is every partner's, so its credits must be 0"],
    ['thresholds not rising', (p) => Object.assign(levels(p)[2]!, { credits: 25 }), "partner.levels[2] (creator): credits 25 must be above collaborator's 25"],
    ['a duplicate metric id', (p) => metrics(p).push({ ...metrics(p)[0] }), 'partner.metrics[13] (technical.certification): the id is used twice'],
    ['an unknown metric kind', (p) => Object.assign(metrics(p)[0]!, { kind: 'lottery' }), 'partner.metrics[0] (technical.certification).kind'],
    ['an unknown track', (p) => Object.assign(metrics(p)[0]!, { track: 'marketing' }), 'partner.metrics[0] (technical.certification).track'],
    ['fractional credits', (p) => Object.assign(metrics(p)[4]!, { credits: 2.5 }), 'partner.metrics[4] (business.event).credits: must be a whole number'],
    ['a monthly maximum below the credits', (p) => Object.assign(metrics(p)[9]!, { monthlyMax: 4 }), 'partner.metrics[9] (business.linkedin-post): monthlyMax 4 is below credits 5'],
    ['two metrics from DevOps Points', (p) => metrics(p).push({ ...metrics(p)[1], id: 'technical.more-points' }), 'partner.metrics[13] (technical.more-points): only one metric may derive from DevOps Points (technical.devops-points already does)'],
    ['a discount that falls with the level', (p) => Object.assign(p, { discountPercent: { member: 5, collaborator: 10, creator: 8 } }), "partner.discountPercent.creator: 8 must not be below collaborator's 10"],
    ['a discount above 100 %', (p) => Object.assign(p, { discountPercent: { member: 5, collaborator: 10, creator: 120 } }), 'partner.discountPercent.creator: must be a percentage from 0 to 100'],
    ['a credit value in fractions of a cent', (p) => Object.assign(p, { creditValue: { amount: 0.125, currency: 'EUR' } }), 'partner.creditValue.amount: 0.125 must be a whole number of cents'],
    ['a lower-case currency', (p) => Object.assign(p, { creditValue: { amount: 1, currency: 'eur' } }), 'partner.creditValue.currency: must be a currency code such as EUR'],
    ['a spending cap above 100 %', (p) => Object.assign(p, { spendingCaps: { 'end-customer': 150, 'self-use': 25, training: 50 } }), 'partner.spendingCaps.end-customer: must be a percentage from 0 to 100'],
    ['a missing spending cap', (p) => Object.assign(p, { spendingCaps: { 'end-customer': 5, 'self-use': 25 } }), 'partner.spendingCaps.training'],
    ['a bad start date', (p) => Object.assign(p, { startsAt: '2024-05-32' }), 'partner.startsAt: must be a date YYYY-MM-DD'],
    ['an unknown field', (p) => Object.assign(p, { _note: 'x' }), 'partner: Unrecognized key: "_note"'],
  ];

  it.each(variants)('is refused for %s, naming the entry', (_what, change, problem) => {
    const raw = defaultCatalogJson();
    change(raw.partner as Json);
    const result = parseCatalog(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toContain(problem);
  });

  it('is refused when the section is missing', () => {
    const raw = defaultCatalogJson();
    delete raw.partner;
    const result = parseCatalog(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toMatch(/^partner: /m);
  });
});

// ---------------------------------------------------------------------------------------------
// One row per metric.

interface MetricRow {
  metric: string;
  steps: Step[];
  devops?: DevopsCredit[];
  credits: number;
  counted: number;
}

const AT = '2025-06-30T12:00:00Z';

const metricRows: MetricRow[] = [
  { metric: 'technical.certification', steps: [{ metric: 'technical.certification', at: '2025-03-01T10:00:00Z' }, { metric: 'technical.certification', at: '2025-04-01T10:00:00Z', count: 2 }], credits: 30, counted: 3 },
  { metric: 'technical.devops-points', steps: [], devops: points([['2025-03-02T10:00:00Z', 700], ['2025-03-20T10:00:00Z', 550], ['2025-04-02T10:00:00Z', 499]]), credits: 10, counted: 1749 },
  { metric: 'technical.downloads', steps: [{ metric: 'technical.downloads', at: '2025-03-01T10:00:00Z', count: 7 }, { metric: 'technical.downloads', at: '2025-03-09T10:00:00Z', count: 3 }, { metric: 'technical.downloads', at: '2025-04-09T10:00:00Z', count: 4 }], credits: 20, counted: 14 },
  { metric: 'technical.demo-lab', steps: [{ metric: 'technical.demo-lab', at: '2025-03-01T10:00:00Z' }, { metric: 'technical.demo-lab', at: '2025-06-01T10:00:00Z' }], credits: 10, counted: 2 },
  { metric: 'business.event', steps: [{ metric: 'business.event', at: '2025-03-01T10:00:00Z' }], credits: 50, counted: 1 },
  { metric: 'business.customer-meeting', steps: [{ metric: 'business.customer-meeting', at: '2025-03-01T10:00:00Z', count: 3 }, { metric: 'business.customer-meeting', at: '2025-03-02T10:00:00Z' }], credits: 4, counted: 4 },
  { metric: 'business.website', steps: [{ metric: 'business.website', at: '2025-01-05T10:00:00Z' }, { metric: 'business.website', at: '2025-06-05T10:00:00Z' }], credits: 10, counted: 2 },
  { metric: 'business.dojo-profile', steps: [{ metric: 'business.dojo-profile', at: '2025-02-05T10:00:00Z' }], credits: 10, counted: 1 },
  { metric: 'business.blog-or-pr', steps: [{ metric: 'business.blog-or-pr', at: '2025-02-05T10:00:00Z' }, { metric: 'business.blog-or-pr', at: '2025-02-06T10:00:00Z' }], credits: 20, counted: 2 },
  { metric: 'business.linkedin-post', steps: [{ metric: 'business.linkedin-post', at: '2025-02-05T10:00:00Z', count: 3 }], credits: 5, counted: 3 },
  { metric: 'business.sales-target', steps: [{ metric: 'business.sales-target', at: '2025-02-05T10:00:00Z' }, { metric: 'business.sales-target', at: '2025-05-05T10:00:00Z' }], credits: 50, counted: 2 },
  { metric: 'business.new-customer', steps: [{ metric: 'business.new-customer', at: '2025-02-05T10:00:00Z' }], credits: 100, counted: 1 },
  { metric: 'business.deal', steps: [{ metric: 'business.deal', at: '2025-02-05T10:00:00Z', deal: 'd1', status: 'registered' }, { metric: 'business.deal', at: '2025-04-05T10:00:00Z', deal: 'd1', status: 'won' }], credits: 50, counted: 1 },
];

describe('partnerStatus(): one row per metric', () => {
  it('has a row for every metric of the catalog', () => {
    expect(metricRows.map((row) => row.metric).sort()).toEqual(catalog.partner.metrics.map((m) => m.id).sort());
  });

  it.each(metricRows)('$metric -> $credits credits', ({ metric, steps, devops, credits, counted }) => {
    const status = statusAt(steps, AT, { devops: devops ?? [] });
    const track = metric.startsWith('technical.') ? 'technical' : 'business';
    const other = track === 'technical' ? 'business' : 'technical';
    expect(metricOf(status, metric)).toMatchObject({ credits, counted });
    expect(status.tracks[track].credits).toBe(credits);
    expect(status.tracks[other].credits).toBe(0);
  });

  it('lists every metric of a track in its breakdown, in catalog order', () => {
    const status = statusAt([], AT);
    expect(status.tracks.technical.metrics.map((m) => m.metric)).toEqual([
      'technical.certification',
      'technical.devops-points',
      'technical.downloads',
      'technical.demo-lab',
    ]);
    expect(status.tracks.business.metrics).toHaveLength(9);
    expect(status.tracks.business.metrics.every((m) => m.credits === 0 && m.counted === 0)).toBe(true);
  });

  it('ignores another partner\'s activities', () => {
    const theirs = activities([{ metric: 'business.new-customer', at: '2025-02-05T10:00:00Z' }], 'p-other');
    const status = partnerStatus(catalog, { partner: acme, activities: theirs, devops: [] }, Date.parse(AT));
    expect(status.tracks.business.credits).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Program time: months, years and the start of the program, in Europe/Brussels.

describe('partnerStatus(): calendar months in program time', () => {
  // Brussels is CET (+1) in winter: 2025-01-31T23:00:00Z is 1 February 00:00.
  it.each([
    { when: 'both in January', first: '2025-01-31T22:30:00Z', second: '2025-01-31T22:59:59Z', credits: 10 },
    { when: 'January then February', first: '2025-01-31T22:30:00Z', second: '2025-01-31T23:30:00Z', credits: 0 },
    { when: 'both in February', first: '2025-01-31T23:00:00Z', second: '2025-02-10T10:00:00Z', credits: 10 },
    // CEST (+2) in summer: 2025-06-30T22:00:00Z is 1 July 00:00.
    { when: 'June then July (summer time)', first: '2025-06-30T21:59:59Z', second: '2025-06-30T22:00:00Z', credits: 0 },
    { when: 'both in June (summer time)', first: '2025-06-01T10:00:00Z', second: '2025-06-30T21:59:59Z', credits: 10 },
  ])('3 then 2 downloads, $when: $credits credits', ({ first, second, credits }) => {
    const status = statusAt(
      [
        { metric: 'technical.downloads', at: first, count: 3 },
        { metric: 'technical.downloads', at: second, count: 2 },
      ],
      '2025-07-15T10:00:00Z',
    );
    expect(status.tracks.technical.credits).toBe(credits);
  });
});

describe('partnerStatus(): calendar years in program time', () => {
  // 2025-12-31T23:00:00Z is 2026-01-01 00:00 in Brussels.
  it.each([
    { at: '2025-12-31T22:59:59Z', year: 2025, credits: 10 },
    { at: '2025-12-31T23:00:00Z', year: 2026, credits: 0 },
    { at: '2025-12-31T23:30:00Z', year: 2026, credits: 10 },
    { at: '2026-03-01T10:00:00Z', year: 2026, credits: 10 },
  ])('a certification at 2025-12-31T23:30:00Z and one in June 2025, seen at $at: year $year, $credits credits', ({ at, year, credits }) => {
    const status = statusAt(
      [
        { metric: 'technical.certification', at: '2025-06-01T10:00:00Z' },
        { metric: 'technical.certification', at: '2025-12-31T23:30:00Z' },
      ],
      at,
    );
    expect(status.year).toBe(year);
    expect(status.tracks.technical.credits).toBe(credits);
  });

  it.each([
    { second: '2025-12-31T22:30:00Z', credits2025: 10, credits2026: 0 },
    { second: '2025-12-31T23:30:00Z', credits2025: 10, credits2026: 10 },
  ])('credits website presence once per calendar year (second at $second)', ({ second, credits2025, credits2026 }) => {
    const steps = [
      { metric: 'business.website', at: '2025-06-01T10:00:00Z' },
      { metric: 'business.website', at: second },
    ];
    expect(statusAt(steps, '2025-12-31T22:59:59Z').tracks.business.credits).toBe(credits2025);
    expect(statusAt(steps, '2026-02-01T10:00:00Z').tracks.business.credits).toBe(credits2026);
  });
});

describe('partnerStatus(): no credits before 2024-05-01 (00:00 in Brussels = 2024-04-30T22:00:00Z)', () => {
  it.each([
    { at: '2024-04-30T21:59:59Z', credits: 0 },
    { at: '2024-04-30T22:00:00Z', credits: 10 },
    { at: '2024-01-10T10:00:00Z', credits: 0 },
  ])('a certification at $at -> $credits', ({ at, credits }) => {
    expect(statusAt([{ metric: 'technical.certification', at }], '2024-06-01T10:00:00Z').tracks.technical.credits).toBe(credits);
  });

  it('does not count downloads or DevOps Points from before the start toward May', () => {
    const status = statusAt(
      [
        { metric: 'technical.downloads', at: '2024-04-30T21:00:00Z', count: 4 },
        { metric: 'technical.downloads', at: '2024-05-02T10:00:00Z', count: 1 },
      ],
      '2024-06-01T10:00:00Z',
      { devops: points([['2024-04-30T21:59:59Z', 400], ['2024-05-03T10:00:00Z', 400]]) },
    );
    expect(status.tracks.technical.credits).toBe(0);
  });

  it('credits a deal registered before the start and won after it, at the win', () => {
    const status = statusAt(
      [
        { metric: 'business.deal', at: '2024-03-01T10:00:00Z', deal: 'd1', status: 'registered' },
        { metric: 'business.deal', at: '2024-06-01T10:00:00Z', deal: 'd1', status: 'won' },
      ],
      '2024-07-01T10:00:00Z',
    );
    expect(status.tracks.business.credits).toBe(50);
  });
});

// ---------------------------------------------------------------------------------------------
// Levels.

describe('partnerStatus(): a level holds until the end of the following year', () => {
  // Three certifications (30 credits) on 2025-03-10: Collaborator from that instant.
  const steps: Step[] = [{ metric: 'technical.certification', at: '2025-03-10T10:00:00Z', count: 3 }];
  it.each([
    { at: '2025-03-10T09:59:59Z', level: 'member', until: null, from: null, credits: 0 },
    { at: '2025-03-10T10:00:00Z', level: 'collaborator', until: '2026-12-31', from: 'this-year', credits: 30 },
    { at: '2025-12-31T22:59:59Z', level: 'collaborator', until: '2026-12-31', from: 'this-year', credits: 30 },
    { at: '2026-01-01T10:00:00Z', level: 'collaborator', until: '2026-12-31', from: 'last-year', credits: 0 },
    // 2026-12-31T22:59:59Z is 23:59:59 on 31 December in Brussels; a second later it is 2027.
    { at: '2026-12-31T22:59:59Z', level: 'collaborator', until: '2026-12-31', from: 'last-year', credits: 0 },
    { at: '2026-12-31T23:00:00Z', level: 'member', until: null, from: null, credits: 0 },
  ])('at $at: $level until $until', ({ at, level, until, from, credits }) => {
    const status = statusAt(steps, at);
    expect(status.tracks.technical).toMatchObject({ level, levelValidUntil: until, levelFrom: from, credits });
    expect(status.level).toBe(level);
    expect(status.levelValidUntil).toBe(until);
  });

  it('reaches a level at the instant a full N completes', () => {
    const posts: Step[] = [
      { metric: 'business.blog-or-pr', at: '2025-03-01T10:00:00Z', count: 2 },
      { metric: 'business.linkedin-post', at: '2025-03-03T10:00:00Z' },
      { metric: 'business.linkedin-post', at: '2025-03-20T10:00:00Z' },
    ];
    expect(statusAt(posts, '2025-03-10T10:00:00Z').tracks.business).toMatchObject({ credits: 20, level: 'member' });
    expect(statusAt(posts, '2025-03-20T10:00:00Z').tracks.business).toMatchObject({ credits: 25, level: 'collaborator' });
  });

  it('keeps last year\'s Creator over this year\'s Collaborator, and says what keeping it needs', () => {
    const status = statusAt(
      [
        { metric: 'business.new-customer', at: '2025-05-01T10:00:00Z' },
        { metric: 'business.blog-or-pr', at: '2026-02-01T10:00:00Z', count: 3 },
      ],
      '2026-03-01T10:00:00Z',
    );
    expect(status.tracks.business).toMatchObject({
      credits: 30,
      level: 'creator',
      levelValidUntil: '2026-12-31',
      levelFrom: 'last-year',
      reachedThisYear: 'collaborator',
      nextLevel: null,
      creditsToNextLevel: null,
      creditsToKeepLevel: 45,
    });
  });

  it('extends a level reached again this year to the end of next year', () => {
    const status = statusAt(
      [
        { metric: 'business.blog-or-pr', at: '2025-05-01T10:00:00Z', count: 3 },
        { metric: 'business.blog-or-pr', at: '2026-02-01T10:00:00Z', count: 3 },
      ],
      '2026-03-01T10:00:00Z',
    );
    expect(status.tracks.business).toMatchObject({ level: 'collaborator', levelValidUntil: '2027-12-31', levelFrom: 'this-year', creditsToKeepLevel: 0 });
  });

  it.each([
    { credits: 0, level: 'member', next: 'collaborator', toNext: 25 },
    { credits: 24, level: 'member', next: 'collaborator', toNext: 1 },
    { credits: 25, level: 'collaborator', next: 'creator', toNext: 50 },
    { credits: 74, level: 'collaborator', next: 'creator', toNext: 1 },
    { credits: 75, level: 'creator', next: null, toNext: null },
  ])('$credits credits: $level, next $next needs $toNext more', ({ credits, level, next, toNext }) => {
    const steps: Step[] = credits ? [{ metric: 'business.customer-meeting', at: '2025-02-01T10:00:00Z', count: credits }] : [];
    expect(statusAt(steps, AT).tracks.business).toMatchObject({ credits, level, nextLevel: next, creditsToNextLevel: toNext });
  });

  it('takes the partner level from the higher track, and the discount from the catalog', () => {
    const steps: Step[] = [
      { metric: 'technical.certification', at: '2025-02-01T10:00:00Z', count: 8 },
      { metric: 'business.customer-meeting', at: '2025-02-01T10:00:00Z', count: 30 },
    ];
    const status = statusAt(steps, AT);
    expect([status.tracks.technical.level, status.tracks.business.level, status.level]).toEqual(['creator', 'collaborator', 'creator']);
    expect(status.discountPercent).toBeNull();
    const priced = variant((p) => Object.assign(p, { discountPercent: { member: 0, collaborator: 10, creator: 20 } }));
    expect(statusAt(steps, AT, { on: priced }).discountPercent).toBe(20);
    expect(statusAt([], AT, { on: priced })).toMatchObject({ level: 'member', levelValidUntil: null, discountPercent: 0 });
  });
});

describe('partnerStatus(): legacy levels', () => {
  const legacy = (level: Partner['legacyLevel']): Partner => ({
    ...acme,
    legacyLevel: level,
    legacyAt: '2025-03-01T10:00:00.000Z',
    legacyValidUntil: '2026-12-31',
  });

  it.each([
    { at: '2025-02-01T10:00:00Z', level: 'member', until: null },
    { at: '2025-03-01T10:00:00Z', level: 'creator', until: '2026-12-31' },
    { at: '2026-12-31T22:59:59Z', level: 'creator', until: '2026-12-31' },
    { at: '2026-12-31T23:00:00Z', level: 'member', until: null },
  ])('a legacy technical Creator imported 2025-03-01, at $at: $level', ({ at, level, until }) => {
    const status = statusAt([], at, { partner: legacy({ technical: 'creator' }) });
    expect(status.tracks.technical).toMatchObject({ level, levelValidUntil: until, credits: 0 });
    expect(status.tracks.business.level).toBe('member');
    expect(status.level).toBe(level);
  });

  it.each([
    { what: 'credits above the legacy level win', legacyLevel: 'collaborator' as const, count: 8, level: 'creator', until: '2027-12-31', from: 'this-year' },
    { what: 'a legacy level above the credits wins', legacyLevel: 'creator' as const, count: 3, level: 'creator', until: '2026-12-31', from: 'legacy' },
    { what: 'the same level reached by credits holds longer', legacyLevel: 'collaborator' as const, count: 3, level: 'collaborator', until: '2027-12-31', from: 'this-year' },
  ])('$what', ({ legacyLevel, count, level, until, from }) => {
    const status = statusAt([{ metric: 'technical.certification', at: '2026-02-01T10:00:00Z', count }], '2026-03-01T10:00:00Z', {
      partner: legacy({ technical: legacyLevel }),
    });
    expect(status.tracks.technical).toMatchObject({ level, levelValidUntil: until, levelFrom: from });
  });
});

// ---------------------------------------------------------------------------------------------
// Deals, LinkedIn, DevOps Points.

describe('partnerStatus(): deals', () => {
  const reg = (deal: string, at: string): Step => ({ metric: 'business.deal', at, deal, status: 'registered' });
  const decide = (deal: string, at: string, status: 'won' | 'lost'): Step => ({ metric: 'business.deal', at, deal, status });

  it.each([
    { what: 'won', steps: [reg('d1', '2025-02-01T10:00:00Z'), decide('d1', '2025-03-01T10:00:00Z', 'won')], at: AT, credits: 50, pending: 0 },
    { what: 'lost', steps: [reg('d1', '2025-02-01T10:00:00Z'), decide('d1', '2025-03-01T10:00:00Z', 'lost')], at: AT, credits: 0, pending: 0 },
    { what: 'never decided', steps: [reg('d1', '2025-02-01T10:00:00Z')], at: AT, credits: 0, pending: 1 },
    { what: 'won, seen before the win', steps: [reg('d1', '2025-02-01T10:00:00Z'), decide('d1', '2025-03-01T10:00:00Z', 'won')], at: '2025-02-20T10:00:00Z', credits: 0, pending: 1 },
    {
      what: 'two won, one lost, one open',
      steps: [
        reg('d1', '2025-02-01T10:00:00Z'),
        reg('d2', '2025-02-02T10:00:00Z'),
        reg('d3', '2025-02-03T10:00:00Z'),
        reg('d4', '2025-02-04T10:00:00Z'),
        decide('d1', '2025-03-01T10:00:00Z', 'won'),
        decide('d2', '2025-03-02T10:00:00Z', 'lost'),
        decide('d3', '2025-03-03T10:00:00Z', 'won'),
      ],
      at: AT,
      credits: 100,
      pending: 1,
    },
    { what: 'registered last year, still open', steps: [reg('d1', '2024-11-01T10:00:00Z')], at: AT, credits: 0, pending: 1 },
  ])('$what: $credits credits, $pending pending', ({ steps, at, credits, pending }) => {
    const status = statusAt(steps, at);
    expect(metricOf(status, 'business.deal')).toMatchObject({ credits, pending });
    expect(status.tracks.business.credits).toBe(credits);
  });

  it('credits a deal in the year of its win (program time), not of its registration', () => {
    const steps = [reg('d1', '2025-11-01T10:00:00Z'), decide('d1', '2025-12-31T23:30:00Z', 'won')];
    expect(statusAt(steps, '2025-12-31T22:59:59Z').tracks.business.credits).toBe(0);
    expect(statusAt(steps, '2026-01-10T10:00:00Z').tracks.business.credits).toBe(50);
  });
});

describe('partnerStatus(): LinkedIn posts, 5 per full 2 in a month, at most 5 a month', () => {
  const post = (at: string, count = 1): Step => ({ metric: 'business.linkedin-post', at, count });
  it.each([
    { what: '1 post', steps: [post('2025-03-03T10:00:00Z')], credits: 0 },
    { what: '2 posts', steps: [post('2025-03-03T10:00:00Z'), post('2025-03-04T10:00:00Z')], credits: 5 },
    { what: '4 posts in one month', steps: [post('2025-03-03T10:00:00Z', 2), post('2025-03-04T10:00:00Z', 2)], credits: 5 },
    { what: '10 posts in one record', steps: [post('2025-03-03T10:00:00Z', 10)], credits: 5 },
    { what: '2 in March and 2 in April', steps: [post('2025-03-03T10:00:00Z', 2), post('2025-04-04T10:00:00Z', 2)], credits: 10 },
    { what: '1 on 31 March and 1 on 1 April (Brussels)', steps: [post('2025-03-31T21:30:00Z'), post('2025-03-31T22:30:00Z')], credits: 0 },
  ])('$what -> $credits', ({ steps, credits }) => {
    expect(statusAt(steps, AT).tracks.business.credits).toBe(credits);
  });

  it.each([
    { posts: 4, credits: 10 },
    { posts: 6, credits: 10 },
    { posts: 3, credits: 5 },
  ])('with a monthly maximum of 10: $posts posts -> $credits', ({ posts, credits }) => {
    const on = variant((p) => Object.assign((p.metrics as Json[]).find((m) => m.id === 'business.linkedin-post')!, { monthlyMax: 10 }));
    expect(statusAt([post('2025-03-03T10:00:00Z', posts)], AT, { on }).tracks.business.credits).toBe(credits);
  });
});

describe('partnerStatus(): credits from the DevOps Points of the partner\'s people', () => {
  it.each([
    { what: '499 in a month', devops: [['2025-03-02T10:00:00Z', 499]], credits: 0 },
    { what: '500 in a month', devops: [['2025-03-02T10:00:00Z', 500]], credits: 5 },
    { what: '1499 in a month', devops: [['2025-03-02T10:00:00Z', 1499]], credits: 10 },
    { what: 'two people, 300 each in January', devops: [['2025-01-10T10:00:00Z', 300], ['2025-01-31T22:59:59Z', 300]], credits: 5 },
    { what: '300 on 31 January and 300 on 1 February (Brussels)', devops: [['2025-01-31T22:30:00Z', 300], ['2025-01-31T23:30:00Z', 300]], credits: 0 },
    { what: '600 then a reversal of 200 in the month', devops: [['2025-03-02T10:00:00Z', 600], ['2025-03-09T10:00:00Z', -200]], credits: 0 },
    { what: 'a reversal in the next month counts there', devops: [['2025-03-02T10:00:00Z', 600], ['2025-04-09T10:00:00Z', -200]], credits: 5 },
    { what: '1000 in March and 1000 in April', devops: [['2025-03-02T10:00:00Z', 1000], ['2025-04-02T10:00:00Z', 1000]], credits: 20 },
  ] as { what: string; devops: [string, number][]; credits: number }[])('$what -> $credits', ({ devops, credits }) => {
    expect(statusAt([], AT, { devops: points(devops) }).tracks.technical.credits).toBe(credits);
  });

  it('counts the current month up to the instant asked about', () => {
    const devops = points([
      ['2025-01-20T10:00:00Z', 450],
      ['2025-02-05T10:00:00Z', 500],
      ['2025-02-20T10:00:00Z', 700],
    ]);
    expect(statusAt([], '2025-02-10T10:00:00Z', { devops })).toMatchObject({ devopsPointsThisMonth: 500, devopsPointsToNextCredits: 500 });
    expect(statusAt([], '2025-02-10T10:00:00Z', { devops }).tracks.technical.credits).toBe(5);
    expect(statusAt([], '2025-02-25T10:00:00Z', { devops })).toMatchObject({ devopsPointsThisMonth: 1200, devopsPointsToNextCredits: 300 });
    expect(statusAt([], '2025-02-25T10:00:00Z', { devops }).tracks.technical.credits).toBe(10);
  });

  it('does not take a level back when a later debit lowers the month', () => {
    const devops = points([
      ['2025-02-05T10:00:00Z', 2500],
      ['2025-02-06T10:00:00Z', -1000],
    ]);
    expect(statusAt([], '2025-02-10T10:00:00Z', { devops }).tracks.technical).toMatchObject({ credits: 15, level: 'collaborator', reachedThisYear: 'collaborator' });
  });
});

// ---------------------------------------------------------------------------------------------
// Spending credits.

describe('redeem(): the most credits one order may use', () => {
  const valued = (amount: number) => variant((p) => Object.assign(p, { creditValue: { amount, currency: 'EUR' } }));
  const one = valued(1);
  const twoFifty = valued(2.5);

  const rows: { order: OrderKind; amount: number; on: Catalog; available: number; capAmount: number; credits: number; value: number; limitedBy: 'cap' | 'available' }[] = [
    // 5 % of 1234.56 = 61.728 -> 61.72 -> 61 credits of 1.00
    { order: 'end-customer', amount: 1234.56, on: one, available: 1000, capAmount: 61.72, credits: 61, value: 61, limitedBy: 'cap' },
    // 5 % of 19.99 = 0.9995 -> 0.99 -> 0 credits
    { order: 'end-customer', amount: 19.99, on: one, available: 1000, capAmount: 0.99, credits: 0, value: 0, limitedBy: 'cap' },
    { order: 'end-customer', amount: 0, on: one, available: 1000, capAmount: 0, credits: 0, value: 0, limitedBy: 'cap' },
    // 25 % of 99.99 = 24.9975 -> 24.99 -> 9 credits of 2.50 (9.996)
    { order: 'self-use', amount: 99.99, on: twoFifty, available: 1000, capAmount: 24.99, credits: 9, value: 22.5, limitedBy: 'cap' },
    // 25 % of 10 = 2.50 -> exactly 1 credit of 2.50
    { order: 'self-use', amount: 10, on: twoFifty, available: 1000, capAmount: 2.5, credits: 1, value: 2.5, limitedBy: 'cap' },
    // 50 % of 333.33 = 166.665 -> 166.66 -> 166 credits
    { order: 'training', amount: 333.33, on: one, available: 1000, capAmount: 166.66, credits: 166, value: 166, limitedBy: 'cap' },
    { order: 'training', amount: 333.33, on: one, available: 100, capAmount: 166.66, credits: 100, value: 100, limitedBy: 'available' },
    { order: 'training', amount: 333.33, on: one, available: 0, capAmount: 166.66, credits: 0, value: 0, limitedBy: 'available' },
    // 50 % of 0.29 = 0.145 -> 0.14
    { order: 'training', amount: 0.29, on: valued(0.07), available: 10, capAmount: 0.14, credits: 2, value: 0.14, limitedBy: 'cap' },
  ];

  it.each(rows)('$order of $amount with $available available -> $credits credits ($limitedBy)', ({ order, amount, on, available, capAmount, credits, value, limitedBy }) => {
    const result = redeem(on, order, amount, available);
    if (!result.ok) throw new Error(result.problem.message);
    expect(result.value).toMatchObject({ order, capAmount, credits, value, limitedBy, note: null, currency: 'EUR' });
  });

  it('gives the cap in money only while the credit value is not set', () => {
    const result = redeem(catalog, 'end-customer', 1234.56, 500);
    if (!result.ok) throw new Error(result.problem.message);
    const expected: Partial<Redemption> = { capPercent: 5, capAmount: 61.72, creditValue: null, credits: null, value: null, limitedBy: null };
    expect(result.value).toMatchObject(expected);
    expect(result.value.note).toContain('not set');
    expect(result.value.note).toContain('61.72 EUR');
  });

  it.each([
    { what: 'a negative amount', amount: -1, available: 10, code: 'BAD_AMOUNT' },
    { what: 'a fraction of a cent', amount: 12.345, available: 10, code: 'BAD_AMOUNT' },
    { what: 'no number', amount: Number.NaN, available: 10, code: 'BAD_AMOUNT' },
    { what: 'an infinite amount', amount: Number.POSITIVE_INFINITY, available: 10, code: 'BAD_AMOUNT' },
    { what: 'part of a credit available', amount: 10, available: 1.5, code: 'BAD_CREDITS' },
    { what: 'negative credits available', amount: 10, available: -1, code: 'BAD_CREDITS' },
  ])('refuses $what with $code', ({ amount, available, code }) => {
    const result = redeem(one, 'training', amount, available);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe(code);
      expect(result.problem.message.length).toBeGreaterThan(10);
    }
  });

  it('refuses an order kind the catalog has no cap for', () => {
    const result = redeem(one, 'gift' as OrderKind, 10, 10);
    expect(result.ok ? null : result.problem.code).toBe('UNKNOWN_ORDER');
  });
});
