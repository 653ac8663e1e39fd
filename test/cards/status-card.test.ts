// The /points status card built by plain code is exactly templates/status.card.json expanded by
// adaptivecards-templating, for every shape a status can take; and its words for each of them.
import { Template } from 'adaptivecards-templating';
import { describe, expect, it } from 'vitest';
import statusTemplate from '../../src/cards/templates/status.card.json' with { type: 'json' };
import { buildStatusCard, statusCardData, type StatusCardData } from '../../src/cards/status-card.js';
import type { LedgerEntry, Member } from '../../src/core/ledger.js';
import { memberStatus } from '../../src/core/lifecycle.js';
import { entriesUpTo } from '../../src/core/timeline.js';
import { defaultCatalog } from '../support/catalog.js';

const catalog = defaultCatalog();
const template = new Template(statusTemplate);
const expand = (data: StatusCardData) => template.expand({ $root: data }) as unknown;

let ids = 0;
/** A ledger entry; docs.add-info takes any number of points, qa.answer is 25. */
function entry(at: string, points: number, extra: Partial<LedgerEntry> = {}): LedgerEntry {
  ids += 1;
  return { id: `e${ids}`, memberId: 'm', action: 'docs.add-info', at, points, inputs: {}, source: 'admin', by: 'tester', edition: 'test', ...extra };
}

const member = (name = 'Ann Peeters', signedUpAt = '2024-03-10'): Member => ({ id: 'm', email: 'm@example.com', name, signedUpAt });

interface Case {
  name: string;
  member: Member;
  entries: LedgerEntry[];
  at: string;
  reminder?: string;
}

const IN_YEAR_2 = '2025-11-27T12:00:00Z';
const cases: Case[] = [
  { name: 'a new member with no points', member: member('Zoe Maes', '2025-11-01'), entries: [], at: IN_YEAR_2 },
  { name: 'points only in an earlier year (empty history this year, no level kept)', member: member(), entries: [entry('2024-05-01T10:00:00Z', 300)], at: IN_YEAR_2 },
  { name: 'just below Advocate', member: member(), entries: [entry('2025-04-01T10:00:00Z', 749)], at: IN_YEAR_2 },
  { name: 'exactly Advocate', member: member(), entries: [entry('2025-04-01T10:00:00Z', 750)], at: IN_YEAR_2 },
  { name: 'Enabler', member: member(), entries: [entry('2025-04-01T10:00:00Z', 5_000), entry('2025-06-01T10:00:00Z', 25, { action: 'qa.answer' })], at: IN_YEAR_2 },
  { name: 'Catalyst, the top level: no next level', member: member(), entries: [entry('2025-04-01T10:00:00Z', 15_000)], at: IN_YEAR_2 },
  { name: 'far past the top level', member: member(), entries: [entry('2025-04-01T10:00:00Z', 5_000), entry('2025-05-01T10:00:00Z', 30_000)], at: IN_YEAR_2 },
  { name: 'a level carried from last year, not yet kept', member: member(), entries: [entry('2024-06-01T10:00:00Z', 6_000), entry('2025-04-01T10:00:00Z', 100)], at: IN_YEAR_2 },
  { name: 'a level carried from last year and secured', member: member(), entries: [entry('2024-06-01T10:00:00Z', 6_000), entry('2025-04-01T10:00:00Z', 5_100)], at: IN_YEAR_2 },
  { name: 'the renewal tomorrow', member: member(), entries: [entry('2025-04-01T10:00:00Z', 800)], at: '2026-03-09T12:00:00Z' },
  {
    name: 'more than five entries, a correction and one of the same instant',
    member: member(),
    entries: [
      entry('2025-03-20T10:00:00Z', 10),
      entry('2025-04-01T10:00:00Z', 25, { action: 'qa.answer' }),
      entry('2025-04-02T10:00:00Z', 1_000),
      entry('2025-04-02T10:00:00Z', 500),
      entry('2025-05-01T10:00:00Z', -25, { action: 'qa.answer', reverses: 'e-x' }),
      entry('2025-06-01T10:00:00Z', 2_000),
      entry('2025-12-01T10:00:00Z', 4_000),
    ],
    at: IN_YEAR_2,
  },
  { name: 'a long name with markdown and braces', member: member(`${'Anna-Maria '.repeat(30)}*van* {de} \${Berg} [x](y)`), entries: [entry('2025-04-01T10:00:00Z', 1)], at: IN_YEAR_2 },
  { name: 'reminders off', member: member(), entries: [], at: IN_YEAR_2, reminder: 'off (type **notifications on** to turn them back on)' },
  { name: 'no reminder ahead', member: member(), entries: [], at: IN_YEAR_2, reminder: 'none' },
];

function dataOf(c: Case): StatusCardData {
  const at = Date.parse(c.at);
  const report = memberStatus(catalog, c.member, c.entries, at);
  if (!report) throw new Error(`${c.name}: no status`);
  return statusCardData(catalog, c.member, report, entriesUpTo(c.entries, at, 5), c.reminder ?? '2026-02-08');
}

describe('the status card builder', () => {
  it.each(cases.map((c) => [c.name, c] as const))('gives the template expansion: %s', (_name, c) => {
    const data = dataOf(c);
    expect(buildStatusCard(data)).toStrictEqual(expand(data));
  });

  it.each([
    [0, 100],
    [1, 99],
    [50, 50],
    [99, 1],
    [100, 0],
  ])('gives the template expansion for a bar %i %% full', (filled, empty) => {
    const data = { ...dataOf(cases[3]!), filled, empty };
    expect(buildStatusCard(data)).toStrictEqual(expand(data));
  });
});

const text = (c: Case) => JSON.stringify(buildStatusCard(dataOf(c)));
const byName = (name: string) => cases.find((c) => c.name === name)!;

describe('the status card says', () => {
  it('how far the next level is, and that there is no level yet', () => {
    expect(dataOf(byName('a new member with no points'))).toMatchObject({
      statusText: 'No DevOps level yet',
      pointsText: '0',
      progressText: '750 more points this year to reach Advocate (750)',
      filled: 0,
      empty: 100,
      keepText: 'Reach Advocate with 750 points',
      entries: [],
    });
    expect(text(byName('a new member with no points'))).toContain('No points yet this membership year.');
  });

  it('the level reached and the points to keep it', () => {
    expect(dataOf(byName('exactly Advocate'))).toMatchObject({
      statusText: 'DevOps Advocate',
      pointsText: '750',
      progressText: '4,250 more points this year to reach Enabler (5,000)',
      filled: 15,
      keepText: 'Advocate is secured for your renewal on 2026-03-10',
      renewalText: '2026-03-10, in 103 days',
      yearText: '2025-03-10 to 2026-03-10 (year 2)',
    });
  });

  it('the top level without a next one', () => {
    expect(dataOf(byName('far past the top level'))).toMatchObject({
      statusText: 'DevOps Catalyst',
      progressText: 'Catalyst: the top level. 35,000 of 15,000 points this year.',
      filled: 100,
      empty: 0,
    });
  });

  it('a carried level and what keeping it needs', () => {
    expect(dataOf(byName('a level carried from last year, not yet kept'))).toMatchObject({
      statusText: 'DevOps Enabler',
      keepText: '4,900 more points by 2026-03-10 to keep Enabler',
    });
    expect(dataOf(byName('a level carried from last year and secured')).keepText).toBe('Enabler is secured for your renewal on 2026-03-10');
  });

  it('one day, not one days', () => {
    expect(dataOf(byName('the renewal tomorrow')).renewalText).toBe('2026-03-10, in 1 day');
  });

  it('the latest five entries, newest first, each with its date, title and points', () => {
    // 2025-12-01 is after the instant; of one instant, the entry written last comes first.
    expect(dataOf(byName('more than five entries, a correction and one of the same instant')).entries).toEqual([
      { title: '2025-06-01', value: 'Add missing information to the documentation (+2,000)' },
      { title: '2025-05-01', value: 'Correction: Answer a question (-25)' },
      { title: '2025-04-02', value: 'Add missing information to the documentation (+500)' },
      { title: '2025-04-02', value: 'Add missing information to the documentation (+1,000)' },
      { title: '2025-04-01', value: 'Answer a question (+25)' },
    ]);
  });

  it('whether reminders are off', () => {
    expect(text(byName('reminders off'))).toContain('"title":"Next reminder","value":"off (type **notifications on** to turn them back on)"');
  });

  it('all of it in fewer than 2,000 bytes and 20 elements with five entries', () => {
    const card = JSON.parse(text(byName('more than five entries, a correction and one of the same instant'))) as unknown;
    let elements = 0;
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        if (typeof (node as { type?: unknown }).type === 'string') elements += 1;
        Object.values(node).forEach(walk);
      }
    };
    walk(card);
    expect(elements).toBeLessThan(20);
    expect(JSON.stringify(card).length).toBeLessThan(2_000);
  });
});
