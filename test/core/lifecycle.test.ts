// Status through the membership years (PROGRAM.md section 2) and the calendar math in time.ts.
import { describe, expect, it } from 'vitest';
import type { LevelId } from '../../src/core/catalog.js';
import { credit, reverse, type EntryInputs, type LedgerEntry, type Member } from '../../src/core/ledger.js';
import { memberStatus, type Outcome } from '../../src/core/lifecycle.js';
import {
  anniversaryDate,
  dateIn,
  daysBetween,
  endOfDate,
  membershipYear,
  membershipYearAt,
  monthIn,
  parseInstant,
  parseWhen,
  startOfDate,
} from '../../src/core/time.js';
import { defaultCatalog, ledgerOf } from '../support/catalog.js';

const catalog = defaultCatalog();
const ZONE = catalog.timeZone;

const endOf = (date: string) => endOfDate(date, ZONE);
const ms = (iso: string) => Date.parse(iso);

function memberFrom(signedUpAt: string): Member {
  return { id: 'm-1', email: 'm1@example.com', name: 'Member One', signedUpAt };
}

type Step = { at: string; action: string; inputs?: EntryInputs } | { at: string; reverses: string };

/** Builds a ledger through credit() and reverse(), as the product does; ids are s1, s2, … */
function buildLedger(member: Member, steps: readonly Step[]): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  steps.forEach((step, i) => {
    const id = `s${i + 1}`;
    const ledger = ledgerOf(member, entries);
    const result =
      'reverses' in step
        ? reverse(catalog, ledger, entries.find((e) => e.id === step.reverses)!, { id, at: ms(step.at), source: 'admin', by: 'tester' })
        : credit(catalog, ledger, { id, action: step.action, at: ms(step.at), inputs: step.inputs ?? {}, source: 'import', by: 'tester' });
    if (!result.ok) throw new Error(`step ${id} refused: ${result.problem.code} ${result.problem.message}`);
    entries.push(...result.value);
  });
  return entries;
}

/** A raw entry, for cases the catalog cannot express directly. */
function raw(id: string, at: string, points: number): LedgerEntry {
  return { id, memberId: 'm-1', action: 'docs.add-info', at, points, inputs: {}, source: 'admin', by: 'tester', edition: 'test' };
}

function statusAt(member: Member, entries: readonly LedgerEntry[], at: number) {
  const report = memberStatus(catalog, member, entries, at);
  if (!report) throw new Error(`no status at ${new Date(at).toISOString()}`);
  return report;
}

// ---------------------------------------------------------------------------------------------
// PROGRAM.md's worked example, sign-up 2023-04-12.

describe("PROGRAM.md's worked example (sign-up 2023-04-12)", () => {
  const member = memberFrom('2023-04-12');
  const entries = buildLedger(member, [
    // Year 0: 2023-04-12 .. 2024-04-12
    { at: '2023-05-02T10:00:00Z', action: 'cert.fundamentals' }, // 500
    { at: '2023-06-12T09:00:00Z', action: 'course.complete' }, // 750: Advocate
    { at: '2023-09-05T10:00:00Z', action: 'training.event', inputs: { days: 2 } }, // 1750
    { at: '2023-11-24T14:00:00Z', action: 'content.use-case', inputs: { points: 3250 } }, // 5000: Enabler
    { at: '2024-02-20T10:00:00Z', action: 'content.retro-recipe' }, // 7000
    { at: '2024-03-18T10:00:00Z', action: 'docs.add-info', inputs: { points: 590 } }, // 7590
    { at: '2024-04-11T21:59:59.999Z', action: 'qa.ask' }, // 7600, the last millisecond of year 0 (23:59:59.999 CEST)
    // Year 1: 2024-04-12 .. 2025-04-12
    { at: '2024-05-15T10:00:00Z', action: 'course.final-quiz' }, // 400
    { at: '2024-08-13T10:00:00Z', action: 'content.solution', inputs: { points: 350 } }, // 750
    { at: '2025-01-20T10:00:00Z', action: 'docs.by-email', inputs: { points: 2800 } }, // 3550
    { at: '2025-03-03T10:00:00Z', action: 'cert.configurator' }, // 4300
    // Year 2: 2025-04-12 .. 2026-04-12
    { at: '2025-05-06T10:00:00Z', action: 'training.event', inputs: { days: 1 } }, // 500
    { at: '2025-06-05T10:00:00Z', action: 'advocacy.linkedin-headline' }, // 750
    { at: '2025-07-01T10:00:00Z', action: 'qa.answer' }, // 775
    { at: '2025-07-02T10:00:00Z', reverses: 's14' }, // 750
    { at: '2025-09-09T10:00:00Z', action: 'content.blog', inputs: { points: 4250 } }, // 5000: Enabler
    { at: '2026-01-12T10:00:00Z', action: 'content.retro-recipe' }, // 7000
    { at: '2026-03-20T10:00:00Z', action: 'cert.fundamentals' }, // 7500
  ]);

  const endOfYear0: Outcome = { date: '2024-04-12', yearTotal: 7600, from: 'enabler', to: 'enabler', result: 'retained' };
  const endOfYear1: Outcome = { date: '2025-04-12', yearTotal: 4300, from: 'enabler', to: 'advocate', result: 'demoted' };
  const endOfYear2: Outcome = { date: '2026-04-12', yearTotal: 7500, from: 'enabler', to: 'enabler', result: 'retained' };

  interface Row {
    date: string;
    yearIndex: number;
    points: number;
    status: LevelId | null;
    carried: LevelId | null;
    reached: LevelId | null;
    toKeepStatus: number;
    nextLevel: LevelId | null;
    pointsToNextLevel: number | null;
    outcomes: Outcome[];
  }

  const rows: Row[] = [
    { date: '2023-06-11', yearIndex: 0, points: 500, status: null, carried: null, reached: null, toKeepStatus: 0, nextLevel: 'advocate', pointsToNextLevel: 250, outcomes: [] },
    { date: '2023-06-12', yearIndex: 0, points: 750, status: 'advocate', carried: null, reached: 'advocate', toKeepStatus: 0, nextLevel: 'enabler', pointsToNextLevel: 4250, outcomes: [] },
    { date: '2023-11-23', yearIndex: 0, points: 1750, status: 'advocate', carried: null, reached: 'advocate', toKeepStatus: 0, nextLevel: 'enabler', pointsToNextLevel: 3250, outcomes: [] },
    { date: '2023-11-24', yearIndex: 0, points: 5000, status: 'enabler', carried: null, reached: 'enabler', toKeepStatus: 0, nextLevel: 'catalyst', pointsToNextLevel: 10000, outcomes: [] },
    { date: '2024-04-11', yearIndex: 0, points: 7600, status: 'enabler', carried: null, reached: 'enabler', toKeepStatus: 0, nextLevel: 'catalyst', pointsToNextLevel: 7400, outcomes: [] },
    { date: '2024-04-12', yearIndex: 1, points: 0, status: 'enabler', carried: 'enabler', reached: null, toKeepStatus: 5000, nextLevel: 'catalyst', pointsToNextLevel: 15000, outcomes: [endOfYear0] },
    { date: '2024-08-12', yearIndex: 1, points: 400, status: 'enabler', carried: 'enabler', reached: null, toKeepStatus: 4600, nextLevel: 'catalyst', pointsToNextLevel: 14600, outcomes: [endOfYear0] },
    { date: '2024-08-13', yearIndex: 1, points: 750, status: 'enabler', carried: 'enabler', reached: 'advocate', toKeepStatus: 4250, nextLevel: 'catalyst', pointsToNextLevel: 14250, outcomes: [endOfYear0] },
    { date: '2025-04-11', yearIndex: 1, points: 4300, status: 'enabler', carried: 'enabler', reached: 'advocate', toKeepStatus: 700, nextLevel: 'catalyst', pointsToNextLevel: 10700, outcomes: [endOfYear0] },
    { date: '2025-04-12', yearIndex: 2, points: 0, status: 'advocate', carried: 'advocate', reached: null, toKeepStatus: 750, nextLevel: 'enabler', pointsToNextLevel: 5000, outcomes: [endOfYear0, endOfYear1] },
    { date: '2025-06-04', yearIndex: 2, points: 500, status: 'advocate', carried: 'advocate', reached: null, toKeepStatus: 250, nextLevel: 'enabler', pointsToNextLevel: 4500, outcomes: [endOfYear0, endOfYear1] },
    { date: '2025-06-05', yearIndex: 2, points: 750, status: 'advocate', carried: 'advocate', reached: 'advocate', toKeepStatus: 0, nextLevel: 'enabler', pointsToNextLevel: 4250, outcomes: [endOfYear0, endOfYear1] },
    { date: '2025-07-01', yearIndex: 2, points: 775, status: 'advocate', carried: 'advocate', reached: 'advocate', toKeepStatus: 0, nextLevel: 'enabler', pointsToNextLevel: 4225, outcomes: [endOfYear0, endOfYear1] },
    { date: '2025-09-08', yearIndex: 2, points: 750, status: 'advocate', carried: 'advocate', reached: 'advocate', toKeepStatus: 0, nextLevel: 'enabler', pointsToNextLevel: 4250, outcomes: [endOfYear0, endOfYear1] },
    { date: '2025-09-09', yearIndex: 2, points: 5000, status: 'enabler', carried: 'advocate', reached: 'enabler', toKeepStatus: 0, nextLevel: 'catalyst', pointsToNextLevel: 10000, outcomes: [endOfYear0, endOfYear1] },
    { date: '2026-04-11', yearIndex: 2, points: 7500, status: 'enabler', carried: 'advocate', reached: 'enabler', toKeepStatus: 0, nextLevel: 'catalyst', pointsToNextLevel: 7500, outcomes: [endOfYear0, endOfYear1] },
    { date: '2026-04-12', yearIndex: 3, points: 0, status: 'enabler', carried: 'enabler', reached: null, toKeepStatus: 5000, nextLevel: 'catalyst', pointsToNextLevel: 15000, outcomes: [endOfYear0, endOfYear1, endOfYear2] },
  ];

  it('builds the ledger from real catalog actions', () => {
    expect(entries).toHaveLength(18);
    expect(entries.reduce((sum, e) => sum + e.points, 0)).toBe(7600 + 4300 + 7500);
  });

  it.each(rows)('at the end of $date: $points points, status $status', (row) => {
    const report = statusAt(member, entries, endOf(row.date));
    expect(report.year.index).toBe(row.yearIndex);
    expect(report.year.startDate).toBe(anniversaryDate('2023-04-12', row.yearIndex));
    expect({
      points: report.points,
      status: report.status,
      carried: report.carried,
      reached: report.reached,
      toKeepStatus: report.toKeepStatus,
      nextLevel: report.nextLevel,
      pointsToNextLevel: report.pointsToNextLevel,
      outcomes: report.outcomes,
    }).toEqual({
      points: row.points,
      status: row.status,
      carried: row.carried,
      reached: row.reached,
      toKeepStatus: row.toKeepStatus,
      nextLevel: row.nextLevel,
      pointsToNextLevel: row.pointsToNextLevel,
      outcomes: row.outcomes,
    });
  });

  it('holds nothing before 2023-06-12', () => {
    const report = statusAt(member, entries, endOf('2023-06-11'));
    expect(report.status).toBeNull();
    expect(report.points).toBeLessThan(750);
  });

  it('on 2024-08-13 keeps Enabler, with 750 points and 4250 to keep it', () => {
    const report = statusAt(member, entries, endOf('2024-08-13'));
    expect([report.status, report.points, report.toKeepStatus]).toEqual(['enabler', 750, 4250]);
  });

  it('on 2026-04-12 retains Enabler until 2027-04-12', () => {
    const report = statusAt(member, entries, endOf('2026-04-12'));
    expect(report.status).toBe('enabler');
    expect(report.outcomes).toHaveLength(3);
    expect(report.outcomes.at(-1)).toEqual({ date: '2026-04-12', yearTotal: 7500, from: 'enabler', to: 'enabler', result: 'retained' });
    expect(report.year.endDate).toBe('2027-04-12');
    expect(report.daysToRenewal).toBe(365);
  });

  it('counts the last millisecond of a year in that year and restarts at the anniversary', () => {
    // 2024-04-12 00:00 in Brussels is CEST (+2): 2024-04-11T22:00:00Z.
    const before = statusAt(member, entries, ms('2024-04-11T21:59:59.999Z'));
    expect([before.year.index, before.points, before.outcomes.length, before.daysToRenewal]).toEqual([0, 7600, 0, 1]);
    const at = statusAt(member, entries, ms('2024-04-11T22:00:00.000Z'));
    expect([at.year.index, at.points, at.status]).toEqual([1, 0, 'enabler']);
    expect(at.outcomes).toEqual([endOfYear0]);
    const without = statusAt(member, entries, ms('2024-04-11T21:59:59.998Z'));
    expect(without.points).toBe(7590);
  });
});

// ---------------------------------------------------------------------------------------------

describe('memberStatus()', () => {
  const member = memberFrom('2024-01-10');

  it('does not take a promotion back for a later debit, but the anniversary demotes', () => {
    const entries = buildLedger(member, [
      { at: '2024-02-01T10:00:00Z', action: 'cert.configurator' }, // 750
      { at: '2024-02-02T10:00:00Z', action: 'qa.downvote-received' }, // 740
    ]);
    const during = statusAt(member, entries, endOf('2024-02-02'));
    expect([during.points, during.status, during.reached, during.toKeepStatus]).toEqual([740, 'advocate', 'advocate', 10]);
    const after = statusAt(member, entries, endOf('2025-01-10'));
    expect([after.year.index, after.points, after.status, after.carried]).toEqual([1, 0, null, null]);
    expect(after.outcomes).toEqual([{ date: '2025-01-10', yearTotal: 740, from: 'advocate', to: null, result: 'demoted' }]);
  });

  it('counts entries at the same instant together', () => {
    const same = [raw('a', '2024-03-01T10:00:00.000Z', 760), raw('b', '2024-03-01T10:00:00.000Z', -10), raw('c', '2024-03-01T10:00:00.000Z', -10)];
    const report = statusAt(member, same, endOf('2024-03-01'));
    expect([report.points, report.status, report.reached]).toEqual([740, null, null]);
    // The order the entries come in does not matter.
    const reordered = statusAt(member, [same[1]!, same[0]!, same[2]!], endOf('2024-03-01'));
    expect([reordered.points, reordered.status]).toEqual([740, null]);
    // One millisecond apart, the +760 is an instant at which 750 was met.
    const apart = [raw('a', '2024-03-01T10:00:00.000Z', 760), raw('b', '2024-03-01T10:00:00.001Z', -20)];
    const promoted = statusAt(member, apart, endOf('2024-03-01'));
    expect([promoted.points, promoted.status]).toEqual([740, 'advocate']);
  });

  it('reports the status at an instant, ignoring later entries', () => {
    const entries = buildLedger(member, [
      { at: '2024-02-01T10:00:00Z', action: 'cert.configurator' },
      { at: '2024-06-01T10:00:00Z', action: 'content.blog', inputs: { points: 5000 } },
    ]);
    const report = statusAt(member, entries, ms('2024-02-01T09:59:59.999Z'));
    expect([report.points, report.status]).toEqual([0, null]);
    const at = statusAt(member, entries, ms('2024-02-01T10:00:00.000Z'));
    expect([at.points, at.status]).toEqual([750, 'advocate']);
  });

  it.each([
    { points: 0, status: null, nextLevel: 'advocate', pointsToNextLevel: 750, toKeepStatus: 0 },
    { points: 100, status: null, nextLevel: 'advocate', pointsToNextLevel: 650, toKeepStatus: 0 },
    { points: 749, status: null, nextLevel: 'advocate', pointsToNextLevel: 1, toKeepStatus: 0 },
    { points: 750, status: 'advocate', nextLevel: 'enabler', pointsToNextLevel: 4250, toKeepStatus: 0 },
    { points: 4999, status: 'advocate', nextLevel: 'enabler', pointsToNextLevel: 1, toKeepStatus: 0 },
    { points: 5000, status: 'enabler', nextLevel: 'catalyst', pointsToNextLevel: 10000, toKeepStatus: 0 },
    { points: 15000, status: 'catalyst', nextLevel: null, pointsToNextLevel: null, toKeepStatus: 0 },
    { points: 20000, status: 'catalyst', nextLevel: null, pointsToNextLevel: null, toKeepStatus: 0 },
  ])('with $points points in year 0: $status, next $nextLevel in $pointsToNextLevel', (row) => {
    const entries = row.points === 0 ? [] : [raw('a', '2024-03-01T10:00:00Z', row.points)];
    const report = statusAt(member, entries, endOf('2024-03-01'));
    expect({
      points: report.points,
      status: report.status,
      nextLevel: report.nextLevel,
      pointsToNextLevel: report.pointsToNextLevel,
      toKeepStatus: report.toKeepStatus,
    }).toEqual(row);
  });

  it('tells how many points keep a carried status', () => {
    const entries = [raw('a', '2024-03-01T10:00:00Z', 15000), raw('b', '2025-02-01T10:00:00Z', 1000)];
    const report = statusAt(member, entries, endOf('2025-02-01'));
    expect([report.status, report.carried, report.points, report.toKeepStatus, report.nextLevel, report.pointsToNextLevel]).toEqual([
      'catalyst',
      'catalyst',
      1000,
      14000,
      null,
      null,
    ]);
  });

  it('demotes by more than one level at an anniversary', () => {
    const entries = [raw('a', '2024-03-01T10:00:00Z', 15000), raw('b', '2025-02-01T10:00:00Z', 100)];
    const report = statusAt(member, entries, endOf('2026-01-10'));
    expect(report.outcomes).toEqual([
      { date: '2025-01-10', yearTotal: 15000, from: 'catalyst', to: 'catalyst', result: 'retained' },
      { date: '2026-01-10', yearTotal: 100, from: 'catalyst', to: null, result: 'demoted' },
    ]);
    expect(report.status).toBeNull();
  });

  it.each([
    { at: startOfDate('2024-01-10', ZONE), days: 366 }, // 2024-01-10 .. 2025-01-10 spans 29 February 2024
    { at: endOf('2024-01-10'), days: 366 },
    { at: endOf('2024-12-31'), days: 10 },
    { at: endOf('2025-01-09'), days: 1 },
    { at: endOf('2025-01-10'), days: 365 },
  ])('counts $days days to renewal at $at', ({ at, days }) => {
    expect(statusAt(member, [], at).daysToRenewal).toBe(days);
  });

  it('gives 1 day to renewal at the end of the day before the anniversary (sign-up 2023-04-12)', () => {
    expect(statusAt(memberFrom('2023-04-12'), [], endOf('2024-04-11')).daysToRenewal).toBe(1);
  });

  it('has no status before the sign-up', () => {
    // 2024-01-10 00:00 in Brussels (CET, +1) is 2024-01-09T23:00:00Z.
    expect(memberStatus(catalog, member, [], ms('2024-01-09T22:59:59.999Z'))).toBeNull();
    expect(memberStatus(catalog, member, [], ms('2023-01-01T00:00:00Z'))).toBeNull();
    const first = statusAt(member, [], ms('2024-01-09T23:00:00.000Z'));
    expect([first.year.index, first.points, first.status, first.outcomes]).toEqual([0, 0, null, []]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('membership years', () => {
  it.each([
    { k: 0, date: '2024-02-29' },
    { k: 1, date: '2025-02-28' },
    { k: 2, date: '2026-02-28' },
    { k: 3, date: '2027-02-28' },
    { k: 4, date: '2028-02-29' },
    { k: 5, date: '2029-02-28' },
    { k: 8, date: '2032-02-29' },
  ])('a 29 February sign-up has anniversary $k on $date', ({ k, date }) => {
    expect(anniversaryDate('2024-02-29', k)).toBe(date);
    expect(membershipYear('2024-02-29', k, ZONE).startDate).toBe(date);
    expect(membershipYear('2024-02-29', k, ZONE).start).toBe(startOfDate(date, ZONE));
  });

  it('gives a 29 February sign-up the years [2027-02-28, 2028-02-29)', () => {
    expect(membershipYear('2024-02-29', 3, ZONE)).toEqual({
      index: 3,
      number: 4,
      start: ms('2027-02-27T23:00:00Z'),
      end: ms('2028-02-28T23:00:00Z'),
      startDate: '2027-02-28',
      endDate: '2028-02-29',
    });
  });

  it.each([
    { at: '2025-02-27T22:59:59.999Z', index: 0 },
    { at: '2025-02-27T23:00:00.000Z', index: 1 }, // 2025-02-28 00:00 in Brussels
    { at: '2028-02-28T22:59:59.999Z', index: 3 },
    { at: '2028-02-28T23:00:00.000Z', index: 4 }, // 2028-02-29 00:00 in Brussels
  ])('a 29 February sign-up is in year $index at $at', ({ at, index }) => {
    expect(membershipYearAt('2024-02-29', ms(at), ZONE)?.index).toBe(index);
  });

  it('counts a credit in the year of its instant across the spring change (sign-up 2024-03-31)', () => {
    // Brussels moves to CEST on 2025-03-30; 2025-03-31 00:00 CEST is 2025-03-30T22:00:00Z.
    expect(membershipYear('2024-03-31', 0, ZONE).start).toBe(ms('2024-03-30T23:00:00Z')); // 00:00 CET, before that night's change
    expect(membershipYear('2024-03-31', 1, ZONE).start).toBe(ms('2025-03-30T22:00:00Z'));
    expect(membershipYearAt('2024-03-31', ms('2025-03-30T21:59:59.999Z'), ZONE)?.index).toBe(0);
    expect(membershipYearAt('2024-03-31', ms('2025-03-30T22:00:00.000Z'), ZONE)?.index).toBe(1);

    const member = memberFrom('2024-03-31');
    const entries = buildLedger(member, [
      { at: '2025-03-30T21:59:59.999Z', action: 'cert.configurator' }, // year 0: 23:59:59.999 CEST on 30 March
      { at: '2025-03-30T22:00:00.000Z', action: 'qa.ask' }, // year 1
    ]);
    const lastOfYear0 = statusAt(member, entries, ms('2025-03-30T21:59:59.999Z'));
    expect([lastOfYear0.year.index, lastOfYear0.points, lastOfYear0.status]).toEqual([0, 750, 'advocate']);
    const report = statusAt(member, entries, ms('2025-03-30T22:00:00.000Z'));
    expect([report.year.index, report.points, report.status]).toEqual([1, 10, 'advocate']);
    expect(report.outcomes).toEqual([{ date: '2025-03-31', yearTotal: 750, from: 'advocate', to: 'advocate', result: 'retained' }]);
  });

  it('puts the anniversary at 00:00 CET after the autumn change (sign-up 2023-10-29)', () => {
    // The sign-up day itself starts in CEST (the change is at 03:00 that night): 2023-10-28T22:00:00Z.
    expect(membershipYear('2023-10-29', 0, ZONE)).toEqual({
      index: 0,
      number: 1,
      start: ms('2023-10-28T22:00:00Z'),
      end: ms('2024-10-28T23:00:00Z'),
      startDate: '2023-10-29',
      endDate: '2024-10-29',
    });
    expect(membershipYearAt('2023-10-29', ms('2024-10-28T22:59:59.999Z'), ZONE)?.index).toBe(0);
    expect(membershipYearAt('2023-10-29', ms('2024-10-28T23:00:00.000Z'), ZONE)?.index).toBe(1);
  });

  it.each([
    { signedUpAt: '2023-01-01', at: '2023-12-31T22:59:59.999Z', index: 0 },
    { signedUpAt: '2023-01-01', at: '2023-12-31T23:00:00.000Z', index: 1 }, // 2024-01-01 00:00 in Brussels
    { signedUpAt: '2023-12-31', at: '2024-12-30T22:59:59.999Z', index: 0 },
    { signedUpAt: '2023-12-31', at: '2024-12-30T23:00:00.000Z', index: 1 },
    { signedUpAt: '2020-06-15', at: '2030-06-14T21:59:59.999Z', index: 9 },
    { signedUpAt: '2020-06-15', at: '2030-06-14T22:00:00.000Z', index: 10 },
  ])('sign-up $signedUpAt is in year $index at $at', ({ signedUpAt, at, index }) => {
    expect(membershipYearAt(signedUpAt, ms(at), ZONE)?.index).toBe(index);
  });

  it('has no year before the sign-up', () => {
    expect(membershipYearAt('2024-03-31', ms('2024-03-30T22:59:59.999Z'), ZONE)).toBeNull();
    expect(membershipYearAt('2024-03-31', ms('2024-03-30T23:00:00.000Z'), ZONE)?.index).toBe(0);
  });
});

describe('time.ts', () => {
  it.each([
    { text: '2025-03-01', expected: ms('2025-03-01T22:59:59.999Z') }, // end of the day, CET
    { text: '2025-07-01', expected: ms('2025-07-01T21:59:59.999Z') }, // end of the day, CEST
    { text: '2025-03-30', expected: ms('2025-03-30T21:59:59.999Z') }, // a 23-hour day
    { text: '2025-10-26', expected: ms('2025-10-26T22:59:59.999Z') }, // a 25-hour day
    { text: '2025-03-01T10:00:00Z', expected: ms('2025-03-01T10:00:00Z') },
    { text: '2025-03-01T10:00:00.250Z', expected: ms('2025-03-01T10:00:00.250Z') },
    { text: '2025-03-01T10:00:00+02:00', expected: ms('2025-03-01T08:00:00Z') },
    { text: '2025-03-01T10:00+0100', expected: ms('2025-03-01T09:00:00Z') },
    { text: '2025-03-01T10:00:00', expected: null }, // no offset
    { text: '2025-03-01 10:00:00Z', expected: null },
    { text: '2025-02-30', expected: null },
    { text: '2025-02-30T10:00:00Z', expected: null },
    { text: 'tomorrow', expected: null },
    { text: '', expected: null },
  ])('parseWhen("$text")', ({ text, expected }) => {
    expect(parseWhen(text, ZONE)).toBe(expected);
  });

  it('parseInstant() needs an offset and refuses a bare date', () => {
    expect(parseInstant('2025-03-01T10:00:00Z')).toBe(ms('2025-03-01T10:00:00Z'));
    expect(parseInstant('2025-03-01T10:00:00')).toBeNull();
    expect(parseInstant('2025-03-01')).toBeNull();
  });

  it('startOfDate() and endOfDate() are 00:00 and the last millisecond in program time', () => {
    expect(startOfDate('2025-03-01', ZONE)).toBe(ms('2025-02-28T23:00:00Z'));
    expect(endOfDate('2025-03-01', ZONE)).toBe(ms('2025-03-01T22:59:59.999Z'));
    expect(startOfDate('2025-07-01', ZONE)).toBe(ms('2025-06-30T22:00:00Z'));
    expect(endOfDate('2025-07-01', ZONE)).toBe(ms('2025-07-01T21:59:59.999Z'));
  });

  it.each([
    { at: '2025-10-31T22:59:59Z', date: '2025-10-31', month: '2025-10' },
    { at: '2025-10-31T23:00:00Z', date: '2025-11-01', month: '2025-11' },
    { at: '2025-06-30T21:59:59Z', date: '2025-06-30', month: '2025-06' },
    { at: '2025-06-30T22:00:00Z', date: '2025-07-01', month: '2025-07' },
    { at: '2024-12-31T23:00:00Z', date: '2025-01-01', month: '2025-01' },
  ])('$at is $date, month $month, in Brussels', ({ at, date, month }) => {
    expect(dateIn(ms(at), ZONE)).toBe(date);
    expect(monthIn(ms(at), ZONE)).toBe(month);
  });

  it.each([
    { from: '2024-04-11', to: '2024-04-12', days: 1 },
    { from: '2025-03-29', to: '2025-03-31', days: 2 }, // across the spring change
    { from: '2025-10-25', to: '2025-10-27', days: 2 }, // across the autumn change
    { from: '2024-01-10', to: '2025-01-10', days: 366 },
    { from: '2025-01-10', to: '2025-01-10', days: 0 },
  ])('daysBetween($from, $to) = $days', ({ from, to, days }) => {
    expect(daysBetween(from, to)).toBe(days);
  });
});
