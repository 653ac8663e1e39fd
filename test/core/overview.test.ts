// The administrators' overview: levels from memberStatus, points per month and the top actions by the
// instant credited (reversals included), the renewals of the next 30 days with their reminders, and
// the member search.
import { describe, expect, it } from 'vitest';
import type { Preferences } from '../../src/core/claims.js';
import type { LedgerEntry, Member } from '../../src/core/ledger.js';
import { memberStatus } from '../../src/core/lifecycle.js';
import type { Notification, ReminderNotice } from '../../src/core/notices.js';
import { programOverview, renewalsDue, searchMembers, type RenewalsView } from '../../src/core/overview.js';
import { defaultCatalog } from '../support/catalog.js';

const catalog = defaultCatalog();
const AT = Date.parse('2026-11-23T12:00:00Z');

const member = (id: string, signedUpAt: string, email = `${id}@example.com`): Member => ({ id, email, name: id[0]!.toUpperCase() + id.slice(1), signedUpAt });
const MEMBERS = [member('ada', '2025-12-10'), member('ben', '2024-12-23'), member('cai', '2024-12-24', 'cai@partner.org'), member('dee', '2027-01-05'), member('eve', '2025-11-23')];

function entry(id: string, memberId: string, action: string, at: string, points: number, reverses?: string): LedgerEntry {
  return { id, memberId, action, at: new Date(at).toISOString(), points, inputs: {}, source: 'import', by: 'test', edition: catalog.edition, ...(reverses && { reverses }) };
}

const ENTRIES = [
  entry('e1', 'ada', 'cert.fundamentals', '2026-03-10T09:00:00Z', 500),
  entry('e2', 'ada', 'qa.answer', '2026-06-01T09:00:00Z', 25),
  entry('e3', 'ada', 'qa.answer', '2026-06-02T09:00:00Z', 25),
  entry('r1', 'ada', 'qa.answer', '2026-07-01T09:00:00Z', -25, 'e3'),
  entry('e4', 'ada', 'content.blog', '2026-11-20T09:00:00Z', 3000),
  entry('b1', 'ben', 'cert.configurator', '2025-01-10T09:00:00Z', 750),
  entry('b2', 'ben', 'qa.answer', '2026-01-15T09:00:00Z', 25),
  entry('b3', 'ben', 'qa.ask', '2026-02-01T09:00:00Z', 10),
  entry('c1', 'cai', 'kata.complete', '2025-11-15T09:00:00Z', 75),
  entry('c4', 'cai', 'qa.upvote-given', '2025-12-15T09:00:00Z', 1),
  entry('c3', 'cai', 'feedback.form', '2026-04-04T09:00:00Z', 50),
  entry('c2', 'cai', 'qa.downvote-received', '2026-05-05T09:00:00Z', -10),
  entry('c5', 'cai', 'qa.comment', '2026-05-06T09:00:00Z', 10),
  // 00:30 on 1 January in Brussels: this calendar year and its first month, though 2025 in UTC.
  entry('v2', 'eve', 'cert.fundamentals', '2026-01-01T00:30:00+01:00', 500),
  // After the instant: counted nowhere.
  entry('v1', 'eve', 'cert.fundamentals', '2026-11-23T13:00:00Z', 500),
];

function reminder(id: string, memberId: string, year: number, daysBefore: number, delivery: Notification['delivery'], sentAt?: string): ReminderNotice {
  return {
    id,
    memberId,
    kind: 'renewal-reminder',
    createdAt: '2026-11-01T00:00:00.000Z',
    delivery,
    attempts: delivery === 'sent' ? 1 : 0,
    ...(sentAt && { sentAt }),
    year,
    daysBefore,
    renewalDate: '2026-12-10',
    daysLeft: daysBefore,
    points: 0,
    status: null,
    toKeep: 0,
    nextLevel: null,
    pointsToNextLevel: null,
  };
}

function view(members = MEMBERS, entries = ENTRIES, notifications: Notification[] = [], preferences: Preferences[] = []): RenewalsView {
  return {
    members: new Map(members.map((m) => [m.id, m])),
    entriesOf: (id) => entries.filter((e) => e.memberId === id),
    notifications: new Map(notifications.map((n) => [n.id, n])),
    preferences: new Map(preferences.map((p) => [p.id, p])),
  };
}

describe('programOverview', () => {
  const overview = programOverview(catalog, view(), AT);

  it('counts members per level as memberStatus gives them, and those whose membership has not begun', () => {
    expect(overview.at).toBe('2026-11-23T12:00:00.000Z');
    expect(overview.enrolled).toBe(4);
    expect(overview.upcoming).toBe(1);
    expect(overview.levels).toEqual([
      { level: null, members: 2 },
      { level: 'advocate', members: 2 },
      { level: 'enabler', members: 0 },
      { level: 'catalyst', members: 0 },
    ]);
    // The same answer as the status of each member.
    const byStatus = MEMBERS.map((m) => memberStatus(catalog, m, ENTRIES.filter((e) => e.memberId === m.id), AT)?.status);
    expect(byStatus).toEqual(['advocate', 'advocate', null, undefined, null]);
  });

  it('sums the net points of the last 12 calendar months in the program time zone', () => {
    expect(overview.months).toEqual([
      { month: '2025-12', points: 1 },
      { month: '2026-01', points: 525 },
      { month: '2026-02', points: 10 },
      { month: '2026-03', points: 500 },
      { month: '2026-04', points: 50 },
      { month: '2026-05', points: 0 },
      { month: '2026-06', points: 50 },
      { month: '2026-07', points: -25 },
      { month: '2026-08', points: 0 },
      { month: '2026-09', points: 0 },
      { month: '2026-10', points: 0 },
      { month: '2026-11', points: 3000 },
    ]);
  });

  it('ranks this calendar year’s actions by net points, then by credits, then by id; none at 0 or below', () => {
    expect(overview.year).toBe('2026');
    expect(overview.topActions).toEqual([
      { action: 'content.blog', points: 3000, entries: 1 },
      { action: 'cert.fundamentals', points: 1000, entries: 2 },
      // 25 + 25 + 25 less the reversal of one: three credits tie feedback.form's one on points.
      { action: 'qa.answer', points: 50, entries: 3 },
      { action: 'feedback.form', points: 50, entries: 1 },
      { action: 'qa.ask', points: 10, entries: 1 },
      { action: 'qa.comment', points: 10, entries: 1 },
    ]);
  });

  it('keeps the 10 actions with the most points', () => {
    const many = Array.from({ length: 12 }, (_, i) => entry(`m${i}`, 'ada', `action.${String(i).padStart(2, '0')}`, '2026-10-01T09:00:00Z', (i + 1) * 10));
    const top = programOverview(catalog, view([MEMBERS[0]!], many), AT).topActions;
    expect(top.map((a) => a.action)).toEqual(['action.11', 'action.10', 'action.09', 'action.08', 'action.07', 'action.06', 'action.05', 'action.04', 'action.03', 'action.02']);
  });

  it('on an empty program: no members, twelve months at 0, no actions', () => {
    const empty = programOverview(catalog, view([], []), Date.parse('2026-01-15T00:00:00Z'));
    expect(empty.enrolled).toBe(0);
    expect(empty.months.map((m) => m.month)).toEqual(['2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01']);
    expect(empty.months.every((m) => m.points === 0)).toBe(true);
    expect(empty.topActions).toEqual([]);
  });
});

describe('renewalsDue', () => {
  const notifications: Notification[] = [
    reminder('r-ada-30', 'ada', 0, 30, 'sent', '2026-11-10T08:00:01.000Z'),
    reminder('r-ada-7', 'ada', 0, 7, 'failed'),
    // Ben's reminder of last year's renewal is not one for this renewal.
    reminder('r-ben-old', 'ben', 0, 30, 'sent', '2025-11-23T08:00:00.000Z'),
    reminder('r-ben-30', 'ben', 1, 30, 'pending'),
  ];
  const due = renewalsDue(catalog, view(MEMBERS, ENTRIES, notifications, [{ id: 'ben', notificationsOff: true }]), AT);

  it('lists the anniversaries of the next 30 days, soonest first, with level, points and what keeps the level', () => {
    expect(due).toEqual([
      {
        member: { id: 'ada', name: 'Ada', email: 'ada@example.com' },
        level: 'advocate',
        points: 3525,
        toKeep: 0,
        renewalDate: '2026-12-10',
        daysToRenewal: 17,
        remindersOff: false,
        reminders: [
          { daysBefore: 30, delivery: 'sent', sentAt: '2026-11-10T08:00:01.000Z' },
          { daysBefore: 7, delivery: 'failed' },
        ],
      },
      {
        member: { id: 'ben', name: 'Ben', email: 'ben@example.com' },
        level: 'advocate',
        points: 35,
        toKeep: 715,
        renewalDate: '2026-12-23',
        daysToRenewal: 30,
        remindersOff: true,
        reminders: [{ daysBefore: 30, delivery: 'pending' }],
      },
    ]);
  });

  it.each([
    ['31 days away', 'cai', false],
    ['a sign-up still to come', 'dee', false],
    ['an anniversary today (the new year has begun)', 'eve', false],
    ['17 days away', 'ada', true],
    ['exactly 30 days away', 'ben', true],
  ])('%s: %s listed %s', (_case, id, listed) => {
    expect(due.some((d) => d.member.id === id)).toBe(listed);
  });

  it('a narrower window', () => {
    expect(renewalsDue(catalog, view(), AT, 20).map((d) => d.member.id)).toEqual(['ada']);
  });
});

describe('searchMembers', () => {
  it.each([
    ['ben', 10, ['ben'], 1],
    ['BEN@EXAMPLE', 10, ['ben'], 1],
    ['partner.org', 10, ['cai'], 1],
    ['e', 10, ['ada', 'ben', 'cai', 'dee', 'eve'], 5],
    ['example.com', 2, ['ada', 'ben'], 4],
    ['   ', 10, [], 0],
    ['nobody', 10, [], 0],
  ])('"%s" (at most %d): %j of %d', (query, limit, ids, total) => {
    const found = searchMembers(MEMBERS, query, limit);
    expect(found.members.map((m) => m.id)).toEqual(ids);
    expect(found.total).toBe(total);
  });
});
