// What is due when (src/core/notices.ts), on PROGRAM.md's worked example: sign-up 2023-04-12 in
// Europe/Brussels; year 0 ends at 7,600 (Advocate 2023-06-12, Enabler 2023-11-24), year 1 at 4,300,
// year 2 reaches Advocate 2025-06-05 and Enabler 2025-09-09.
import { describe, expect, it } from 'vitest';
import type { LedgerEntry, Member } from '../../src/core/ledger.js';
import { dueFor, nextReminderDate, partnerLevelsDue, type DueWindow } from '../../src/core/notices.js';
import type { PartnerActivity } from '../../src/core/partner-records.js';
import { startOfDate } from '../../src/core/time.js';
import { defaultCatalog } from '../support/catalog.js';

const catalog = defaultCatalog();
const ZONE = catalog.timeZone;
const member: Member = { id: 'm', email: 'm@example.com', name: 'M', signedUpAt: '2023-04-12' };
/** 00:00 of a date in Brussels, plus hours. */
const day = (date: string, hours = 0) => startOfDate(date, ZONE) + hours * 3_600_000;

let n = 0;
const entry = (date: string, points: number, hours = 10): LedgerEntry => ({
  id: `e${(n += 1)}`,
  memberId: 'm',
  action: 'docs.add-info',
  at: new Date(day(date, hours)).toISOString(),
  points,
  inputs: { points },
  source: 'import',
  by: 'test',
  edition: 'test',
});

const ledger: LedgerEntry[] = [
  entry('2023-05-01', 700),
  entry('2023-06-12', 50),
  entry('2023-11-24', 4250),
  entry('2024-02-01', 2600),
  entry('2024-08-13', 750),
  entry('2025-01-10', 3550),
  entry('2025-06-05', 750),
  entry('2025-09-09', 4250),
  entry('2026-01-15', 2500),
];

const settings = { reminderDays: [30, 7, 1], muted: false };
const keysIn = (window: DueWindow, options = settings, entries = ledger) => dueFor(catalog, member, entries, window, options).map((d) => d.notice.id);

describe('what is due in a window (from, at]', () => {
  const table: [string, DueWindow, string[]][] = [
    ['nothing on a quiet day', { from: day('2023-05-02'), at: day('2023-05-03') }, []],
    ['a promotion on the day it happens', { from: day('2023-06-12'), at: day('2023-06-12', 12) }, ['promotion:m:0:advocate']],
    ['one promotion, the highest, after a jump over two levels', { from: day('2023-06-13'), at: day('2023-11-25') }, ['promotion:m:0:enabler']],
    ['the 30-day reminder before the first renewal', { from: day('2024-03-12', 12), at: day('2024-03-13', 1) }, ['promotion:m:0:enabler', 'renewal-reminder:m:0:30']],
    ['only the latest of several missed reminders', { from: day('2024-03-01'), at: day('2024-04-11', 8) }, ['promotion:m:0:enabler', 'renewal-reminder:m:0:1']],
    ['the anniversary, and no reminder of a renewal already past', { from: day('2024-04-10', 12), at: day('2024-04-12', 9) }, ['anniversary:m:1']],
    ['no promotion in a year that carries Enabler and reaches Advocate', { from: day('2024-08-12'), at: day('2024-08-14') }, []],
    ['the second anniversary, a demotion', { from: day('2025-04-11', 12), at: day('2025-04-12', 1) }, ['anniversary:m:2']],
    ['year 2: Advocate again is not a promotion over the carried Advocate', { from: day('2025-06-04'), at: day('2025-06-06') }, []],
    ['year 2: Enabler is', { from: day('2025-09-08'), at: day('2025-09-10') }, ['promotion:m:2:enabler']],
  ];
  it.each(table)('%s', (_name, window, keys) => {
    expect(keysIn(window)).toEqual(keys);
  });

  it('a pass after 40 days down across the anniversary sends one outcome and no stale reminder', () => {
    const due = dueFor(catalog, member, ledger, { from: day('2025-03-20'), at: day('2025-04-29') }, settings);
    expect(due).toHaveLength(1);
    expect(due[0]!.notice).toMatchObject({ id: 'anniversary:m:2', kind: 'anniversary', result: 'demoted', from: 'enabler', to: 'advocate', yearTotal: 4300, toKeep: 750, nextRenewalDate: '2026-04-12' });
  });

  it('the outcome of a retained year says what the new year needs', () => {
    const [due] = dueFor(catalog, member, ledger, { from: day('2024-04-11'), at: day('2024-04-12', 1) }, settings);
    expect(due!.notice).toMatchObject({ kind: 'anniversary', date: '2024-04-12', result: 'retained', from: 'enabler', to: 'enabler', yearTotal: 7600, toKeep: 5000 });
  });

  it('a reminder carries days left, points this year and what keeping the status needs', () => {
    const due = dueFor(catalog, member, ledger, { from: day('2025-03-12', 12), at: day('2025-03-13', 1) }, settings);
    expect(due.map((d) => d.notice)).toEqual([
      expect.objectContaining({ id: 'renewal-reminder:m:1:30', daysBefore: 30, renewalDate: '2025-04-12', daysLeft: 30, points: 4300, status: 'enabler', toKeep: 700 }),
    ]);
  });

  it('a reminder says the status is secured when the points are there', () => {
    const due = dueFor(catalog, member, ledger, { from: day('2026-03-12', 12), at: day('2026-03-13', 1) }, settings).find((d) => d.notice.kind === 'renewal-reminder');
    expect(due!.notice).toMatchObject({ kind: 'renewal-reminder', status: 'enabler', points: 7500, toKeep: 0 });
  });

  it('a muted member gets no reminder, but still the anniversary outcome and promotions', () => {
    const muted = { ...settings, muted: true };
    expect(keysIn({ from: day('2024-03-12', 12), at: day('2024-03-13', 1) }, muted)).toEqual(['promotion:m:0:enabler']);
    expect(keysIn({ from: day('2024-04-10'), at: day('2024-04-12', 9) }, muted)).toEqual(['anniversary:m:1']);
  });

  it('a credit imported late, dated before the window, still announces its promotion this year', () => {
    const late = [...ledger, entry('2026-02-01', 8000)];
    expect(keysIn({ from: day('2026-03-01'), at: day('2026-03-02') }, settings, late)).toEqual(['promotion:m:2:catalyst']);
  });

  it("an earlier year's promotion is due only when it falls inside the window", () => {
    const lateInYear = [...ledger.slice(0, 3), entry('2024-04-05', 10000)];
    expect(keysIn({ from: day('2024-04-01'), at: day('2024-04-13') }, settings, lateInYear)).toEqual(['anniversary:m:1', 'promotion:m:0:catalyst']);
    expect(keysIn({ from: day('2024-04-06'), at: day('2024-04-13') }, settings, lateInYear)).toEqual(['anniversary:m:1']);
  });

  it('on the first pass, promotions reached before the look-back are baseline, not news', () => {
    const due = dueFor(catalog, member, ledger, { from: day('2025-10-01'), at: day('2025-10-08'), baselineBefore: day('2025-10-01') }, settings);
    expect(due.map((d) => [d.notice.id, d.baseline])).toEqual([['promotion:m:2:enabler', true]]);
    const recent = dueFor(catalog, member, ledger, { from: day('2025-09-05'), at: day('2025-09-12'), baselineBefore: day('2025-09-05') }, settings);
    expect(recent.map((d) => [d.notice.id, d.baseline])).toEqual([['promotion:m:2:enabler', false]]);
  });

  it('REMINDER_DAYS decides the offsets, and nothing is due before the sign-up', () => {
    expect(keysIn({ from: day('2024-03-27', 12), at: day('2024-03-28', 1) }, { reminderDays: [15], muted: false })).toEqual(['promotion:m:0:enabler', 'renewal-reminder:m:0:15']);
    expect(keysIn({ from: day('2024-03-12', 12), at: day('2024-03-13', 1) }, { reminderDays: [], muted: false })).toEqual(['promotion:m:0:enabler']);
    expect(keysIn({ from: day('2023-01-01'), at: day('2023-04-11') })).toEqual([]);
  });

  it('counts a 29 February sign-up renewing on 28 February', () => {
    const leap: Member = { ...member, id: 'l', signedUpAt: '2024-02-29' };
    const due = dueFor(catalog, leap, [], { from: day('2025-02-27', 12), at: day('2025-02-28', 1) }, settings);
    expect(due.map((d) => d.notice.id)).toEqual(['anniversary:l:1']);
    expect(dueFor(catalog, leap, [], { from: day('2025-02-26', 12), at: day('2025-02-27', 1) }, settings).map((d) => d.notice.id)).toEqual(['renewal-reminder:l:0:1']);
  });
});

describe('the next reminder date', () => {
  const table: [string, number, boolean, string | null][] = [
    ['before the first reminder of the year', day('2024-03-01'), false, '2024-03-13'],
    ['between reminders', day('2024-03-13', 5), false, '2024-04-05'],
    ['after the last one: the next year', day('2024-04-11', 5), false, '2025-03-13'],
    ['muted', day('2024-03-01'), true, null],
    ['before the sign-up', day('2023-01-01'), false, null],
  ];
  it.each(table)('%s', (_name, at, muted, expected) => {
    expect(nextReminderDate(catalog, member, at, { reminderDays: [30, 7, 1], muted })).toBe(expected);
  });
});

describe('partner levels to announce', () => {
  const partner = { id: 'p1', name: 'Acme Broadcast' };
  const people: Member[] = [member, { ...member, id: 'm2', email: 'm2@example.com' }];
  let k = 0;
  const cert = (at: string, count = 1): PartnerActivity => ({ id: `a${(k += 1)}`, partnerId: 'p1', metric: 'technical.certification', at, count, source: 'import', by: 'test' });
  // 10 credits per certification: Collaborator at 25 (the third), Creator at 75 (the eighth).
  const activities = [cert('2025-03-01T10:00:00Z'), cert('2025-03-02T10:00:00Z'), cert('2025-03-03T10:00:00Z'), cert('2025-12-31T22:30:00Z', 5)];
  const due = (from: string, at: string, baselineBefore?: string) =>
    partnerLevelsDue(catalog, { partner, activities, devops: [] }, people, {
      from: Date.parse(from),
      at: Date.parse(at),
      ...(baselineBefore && { baselineBefore: Date.parse(baselineBefore) }),
    }).map((d) => [d.notice.id, d.baseline]);

  it('tells each of the partner\'s people, once per level and track, with its validity', () => {
    expect(due('2025-03-03T09:00:00Z', '2025-03-03T12:00:00Z')).toEqual([
      ['partner-level:p1:technical:2025:collaborator:m', false],
      ['partner-level:p1:technical:2025:collaborator:m2', false],
    ]);
    const [first] = partnerLevelsDue(catalog, { partner, activities, devops: [] }, people, { from: 0, at: Date.parse('2025-03-04T00:00:00Z') });
    expect(first!.notice).toMatchObject({ kind: 'partner-level', partnerName: 'Acme Broadcast', track: 'technical', level: 'collaborator', year: 2025, credits: 30, validUntil: '2026-12-31' });
  });

  it('counts the year in program time, and catches up across the new year', () => {
    // 2025-12-31T22:30Z is 2025-12-31 23:30 in Brussels: still 2025, and it makes Creator.
    expect(due('2025-12-31T22:00:00Z', '2026-01-02T10:00:00Z')).toEqual([
      ['partner-level:p1:technical:2025:creator:m', false],
      ['partner-level:p1:technical:2025:creator:m2', false],
    ]);
    expect(due('2026-01-01T10:00:00Z', '2026-01-02T10:00:00Z')).toEqual([]);
  });

  it('keeps a level reached before notifications started as baseline', () => {
    expect(due('2025-05-01T00:00:00Z', '2025-05-08T00:00:00Z', '2025-05-01T00:00:00Z')).toEqual([
      ['partner-level:p1:technical:2025:collaborator:m', true],
      ['partner-level:p1:technical:2025:collaborator:m2', true],
    ]);
  });
});
