// Every export, column by column, against rows computed by hand from PROGRAM.md for the fixture; the
// CSV read back by a real RFC 4180 parser; the JSON Lines read back; the request checks.
import { parse } from 'csv-parse/sync';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkExportRequest, exportFileName, exportTable, type ExportRequest, type Row } from '../../src/core/exports.js';
import { writeExport } from '../../src/services/exports.js';
import { defaultCatalog } from '../support/catalog.js';
import { AT, fixtureState, HOSTILE } from './fixture.js';

const catalog = defaultCatalog();
const state = fixtureState();

function rowsOf(request: ExportRequest): { columns: readonly string[]; total: number; rows: Row[] } {
  const checked = checkExportRequest(catalog, request, AT);
  if (!checked.ok) throw new Error(checked.problem.message);
  const table = exportTable(state, catalog, checked.value);
  return { columns: table.columns, total: table.total, rows: [...table.rows] };
}

/** A Writable keeping what it is given as text. */
function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function exported(request: ExportRequest): Promise<string> {
  const { stream, text } = collector();
  const result = await writeExport(state, catalog, request, stream, { now: AT });
  if (!result.ok) throw new Error(result.problem.message);
  return text();
}

// The expected rows, by hand. Brussels is UTC+1 in winter, UTC+2 in summer.
const ann = { memberId: 'ann', name: 'Ann Peeters', email: 'ann@example.com', signedUpAt: '2023-04-12' };
const bob = { memberId: 'bob', name: HOSTILE.bobName, email: 'bob@example.com', signedUpAt: '2026-01-10' };
const dora = { memberId: 'dora', name: HOSTILE.doraName, email: 'dora@example.com', signedUpAt: '2024-03-01' };
const eve = { memberId: 'eve', name: 'Eve', email: 'eve@example.com', signedUpAt: '2025-11-20' };

const STATUSES_AT = [
  // Year 4 (from 2026-04-12): 25 - 10 - 25 = -10; year 3 ended at 750 + 4250 + 2500 = 7500, so Enabler is
  // carried, and keeping it needs 5000 - (-10).
  { ...ann, membershipYear: 4, level: 'enabler', carriedLevel: 'enabler', pointsThisYear: -10, renewalDate: '2027-04-12', pointsToKeep: 5010 },
  // Year 1: 250 + 50 + 500 = 800 ≥ 750.
  { ...bob, membershipYear: 1, level: 'advocate', carriedLevel: null, pointsThisYear: 800, renewalDate: '2027-01-10', pointsToKeep: 0 },
  // Carl signs up on 2026-12-01: not enrolled at the instant, no row.
  { ...dora, membershipYear: 3, level: 'advocate', carriedLevel: null, pointsThisYear: 750, renewalDate: '2027-03-01', pointsToKeep: 0 },
  // Year 2 began on 2026-11-20; year 1 ended at 10 points: no level, nothing to keep.
  { ...eve, membershipYear: 2, level: null, carriedLevel: null, pointsThisYear: 0, renewalDate: '2027-11-20', pointsToKeep: null },
];

const entry = (entryId: string, memberId: string, memberName: string, action: string, points: number, at: string, extra: Partial<Record<string, string>> = {}) => ({
  entryId,
  memberId,
  memberName,
  action,
  points,
  at,
  source: 'import',
  actor: 'cli:admin',
  reason: null,
  note: null,
  evidence: null,
  reverses: null,
  reversedBy: null,
  ...extra,
});

const LEDGER = [
  entry('a1', 'ann', 'Ann Peeters', 'cert.configurator', 750, '2025-06-05T09:00:00.000Z', { note: 'Configurator exam' }),
  entry('a2', 'ann', 'Ann Peeters', 'docs.add-info', 4250, '2025-09-09T09:00:00.000Z'),
  entry('a3', 'ann', 'Ann Peeters', 'content.blog', 2500, '2026-01-15T09:00:00.000Z', { evidence: 'https://blog.example.com/ann' }),
  entry('b1', 'bob', HOSTILE.bobName, 'course.complete', 250, '2026-02-01T10:00:00.000Z', { note: HOSTILE.b1Note, evidence: HOSTILE.b1Evidence }),
  entry('a4', 'ann', 'Ann Peeters', 'qa.answer', 25, '2026-05-01T08:00:00.000Z', { reversedBy: 'r1' }),
  entry('a5', 'ann', 'Ann Peeters', 'qa.downvote-received', -10, '2026-06-01T08:00:00.000Z', { note: HOSTILE.a5Note }),
  entry('r1', 'ann', 'Ann Peeters', 'qa.answer', -25, '2026-06-02T08:00:00.000Z', { note: 'duplicate', reverses: 'a4' }),
  entry('b2', 'bob', HOSTILE.bobName, 'feedback.form', 50, '2026-11-02T10:00:00.000Z', { reason: HOSTILE.b2Reason, evidence: HOSTILE.b2Evidence }),
  // One instant: Dora before Eve, in the order they were enrolled, whatever order the entries were written.
  entry('d1', 'dora', HOSTILE.doraName, 'cert.automation', 750, '2026-11-05T10:00:00.000Z'),
  entry('e1', 'eve', 'Eve', 'qa.ask', 10, '2026-11-05T10:00:00.000Z'),
  entry('b3', 'bob', HOSTILE.bobName, 'cert.fundamentals', 500, '2026-11-20T10:00:00.000Z'),
];

const claim = (extra: Record<string, unknown>) => ({
  title: null,
  role: null,
  attendees: [],
  evidence: null,
  details: null,
  decidedBy: null,
  decidedAt: null,
  reason: null,
  chosenPoints: null,
  days: null,
  pointsCredited: null,
  credited: [],
  notCredited: [],
  ...extra,
});

const CLAIMS = [
  claim({
    claimId: 'claim-1',
    kind: 'action',
    memberId: 'bob',
    memberName: HOSTILE.bobName,
    submittedAt: '2026-11-01T09:00:00.000Z',
    action: 'feedback.form',
    dates: ['2026-10-30'],
    evidence: 'https://forms.example.com/1',
    details: HOSTILE.claim1Details,
    status: 'approved',
    decidedBy: 'admin-1',
    decidedAt: '2026-11-02T10:00:00.000Z',
    pointsCredited: 50,
    credited: ['b2'],
  }),
  claim({
    claimId: 'claim-2',
    kind: 'attendance',
    memberId: 'ann',
    memberName: 'Ann Peeters',
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
  }),
  claim({ claimId: 'claim-3', kind: 'action', memberId: 'eve', memberName: 'Eve', submittedAt: '2026-11-22T09:00:00.000Z', action: 'qa.ask', dates: ['2026-11-21'], status: 'pending' }),
];

const LEADERBOARD = [
  // November 2026: Bob 50 + 500, Eve 10; Dora opted out; Ann nothing this month.
  { board: 'month', period: '2026-11', rank: 1, memberId: 'bob', name: HOSTILE.bobName, points: 550 },
  { board: 'month', period: '2026-11', rank: 2, memberId: 'eve', name: 'Eve', points: 10 },
  // 2026: Ann 2500 + 25 - 10 - 25, Bob 250 + 50 + 500, Eve 10.
  { board: 'year', period: '2026', rank: 1, memberId: 'ann', name: 'Ann Peeters', points: 2490 },
  { board: 'year', period: '2026', rank: 2, memberId: 'bob', name: HOSTILE.bobName, points: 800 },
  { board: 'year', period: '2026', rank: 3, memberId: 'eve', name: 'Eve', points: 10 },
];

const p1 = { partnerId: 'p1', name: HOSTILE.p1Name, year: 2026, partnerLevel: 'collaborator', discountPercent: null };
const p2 = { partnerId: 'p2', name: HOSTILE.p2Name, year: 2026, partnerLevel: 'member', discountPercent: null };
const plainTrack = {
  credits: 0,
  level: 'member',
  levelFrom: null,
  levelValidUntil: null,
  reachedThisYear: 'member',
  nextLevel: 'collaborator',
  creditsToNextLevel: 25,
  creditsToKeepLevel: 0,
};
const PARTNERS = [
  // Technical: 2 certifications × 10, plus 5 for Dora's full 500 points in November = 25: Collaborator
  // reached this year, held until the end of next year.
  {
    ...p1,
    track: 'technical',
    credits: 25,
    level: 'collaborator',
    levelFrom: 'this-year',
    levelValidUntil: '2027-12-31',
    reachedThisYear: 'collaborator',
    nextLevel: 'creator',
    creditsToNextLevel: 50,
    creditsToKeepLevel: 0,
  },
  // Business: an event in 2025 (50) made it Collaborator until 2026-12-31; this year one blog post (10),
  // so 15 more keep it through 2027.
  {
    ...p1,
    track: 'business',
    credits: 10,
    level: 'collaborator',
    levelFrom: 'last-year',
    levelValidUntil: '2026-12-31',
    reachedThisYear: 'member',
    nextLevel: 'creator',
    creditsToNextLevel: 65,
    creditsToKeepLevel: 15,
  },
  { ...p2, track: 'technical', ...plainTrack },
  { ...p2, track: 'business', ...plainTrack },
];

// The header of each export, as documented in the README.
const HEADERS = {
  statuses: ['memberId', 'name', 'email', 'signedUpAt', 'membershipYear', 'level', 'carriedLevel', 'pointsThisYear', 'renewalDate', 'pointsToKeep'],
  ledger: ['entryId', 'memberId', 'memberName', 'action', 'points', 'at', 'source', 'actor', 'reason', 'note', 'evidence', 'reverses', 'reversedBy'],
  claims: [
    'claimId',
    'kind',
    'memberId',
    'memberName',
    'submittedAt',
    'action',
    'dates',
    'title',
    'role',
    'attendees',
    'evidence',
    'details',
    'status',
    'decidedBy',
    'decidedAt',
    'reason',
    'chosenPoints',
    'days',
    'pointsCredited',
    'credited',
    'notCredited',
  ],
  leaderboard: ['board', 'period', 'rank', 'memberId', 'name', 'points'],
  partners: [
    'partnerId',
    'name',
    'year',
    'track',
    'credits',
    'level',
    'levelFrom',
    'levelValidUntil',
    'reachedThisYear',
    'nextLevel',
    'creditsToNextLevel',
    'creditsToKeepLevel',
    'partnerLevel',
    'discountPercent',
  ],
};

const byKind: [keyof typeof HEADERS, ExportRequest, Record<string, unknown>[]][] = [
  ['statuses', { kind: 'statuses' }, STATUSES_AT],
  ['ledger', { kind: 'ledger' }, LEDGER],
  ['claims', { kind: 'claims' }, CLAIMS],
  ['leaderboard', { kind: 'leaderboard' }, LEADERBOARD],
  ['partners', { kind: 'partners' }, PARTNERS],
];

describe('export rows', () => {
  it.each(byKind)('%s: every column of every row, in column order, with the total known first', (kind, request, expected) => {
    const { columns, total, rows } = rowsOf(request);
    expect(columns).toEqual(HEADERS[kind]);
    expect(rows).toEqual(expected);
    for (const row of rows) expect(Object.keys(row)).toEqual(columns);
    expect(total).toBe(expected.length);
  });

  it('statuses at the end of a date: a member appears from the day of their sign-up', () => {
    const names = (at: string) => rowsOf({ kind: 'statuses', at }).rows.map((r) => r.memberId);
    expect(names('2026-01-09')).toEqual(['ann', 'dora', 'eve']);
    expect(rowsOf({ kind: 'statuses', at: '2026-01-10' }).rows[1]).toEqual({
      ...bob,
      membershipYear: 1,
      level: null,
      carriedLevel: null,
      pointsThisYear: 0,
      renewalDate: '2027-01-10',
      pointsToKeep: null,
    });
    // Ann on 2025-09-09, evening in Brussels: Enabler reached in year 3 with 5,000, nothing more to keep.
    expect(rowsOf({ kind: 'statuses', at: '2025-09-09T20:00:00+02:00' }).rows[0]).toMatchObject({ level: 'enabler', pointsThisYear: 5000, pointsToKeep: 0 });
  });

  it('the ledger of a range: bounds included, dates as whole days in the program zone, reversals as of the end', () => {
    const ids = (request: Omit<ExportRequest, 'kind'>) => rowsOf({ kind: 'ledger', ...request }).rows.map((r) => r.entryId);
    // 2026-06-01 starts at 2026-05-31T22:00Z in Brussels; 2026-11-05 ends at 2026-11-05T22:59:59.999Z.
    expect(ids({ from: '2026-06-01', to: '2026-11-05' })).toEqual(['a5', 'r1', 'b2', 'd1', 'e1']);
    expect(ids({ from: '2026-11-05T10:00:00Z', to: '2026-11-05T10:00:00Z' })).toEqual(['d1', 'e1']);
    expect(ids({ from: '2026-11-05T10:00:00.001Z' })).toEqual(['b3']);
    expect(ids({ to: '2025-06-05T08:59:59.999Z' })).toEqual([]);
    // A range ending before r1 shows a4 as not reversed: the same range gives the same file later.
    expect(rowsOf({ kind: 'ledger', to: '2026-06-01' }).rows.find((r) => r.entryId === 'a4')).toMatchObject({ reversedBy: null });
    expect(rowsOf({ kind: 'ledger', from: '2026-06-01', to: '2026-11-05' }).total).toBe(5);
  });

  it('claims of a range by submission instant; one leaderboard with --period', () => {
    expect(rowsOf({ kind: 'claims', from: '2026-11-02', to: '2026-11-22' }).rows.map((r) => r.claimId)).toEqual(['claim-2', 'claim-3']);
    expect(rowsOf({ kind: 'leaderboard', period: 'year' }).rows).toEqual(LEADERBOARD.slice(2));
    // At the end of October: Bob has nothing in October, Ann's year is 2500 + 25 - 10 - 25.
    expect(rowsOf({ kind: 'leaderboard', at: '2026-10-31' }).rows).toEqual([
      { board: 'year', period: '2026', rank: 1, memberId: 'ann', name: 'Ann Peeters', points: 2490 },
      { board: 'year', period: '2026', rank: 2, memberId: 'bob', name: HOSTILE.bobName, points: 250 },
    ]);
  });
});

/** What the CSV holds for a cell: numbers as written, none empty, lists space-separated, formula-like text after a '. */
function csvText(cell: unknown): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  const text = Array.isArray(cell) ? cell.join(' ') : String(cell);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

describe('CSV', () => {
  it.each(byKind)('%s: read back by csv-parse, equals the data', async (kind, request, expected) => {
    const csv = await exported(request);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    // Every line end is CRLF; LF alone appears only inside a quoted field.
    expect(csv.replace(/\r\n/g, '').includes('\n')).toBe(false);
    const records = parse(csv, { bom: true, record_delimiter: '\r\n' }) as string[][];
    const columns = HEADERS[kind];
    expect(records[0]).toEqual(columns);
    expect(records.slice(1)).toEqual(expected.map((row) => columns.map((c) => csvText(row[c]))));
  });

  it('neutralises every hostile text and keeps the rest of it; our own numbers stay numbers', async () => {
    const ledger = parse(await exported({ kind: 'ledger' }), { bom: true, columns: true }) as Record<string, string>[];
    const b1 = ledger.find((r) => r.entryId === 'b1')!;
    const b2 = ledger.find((r) => r.entryId === 'b2')!;
    expect(b1).toMatchObject({ memberName: `'${HOSTILE.bobName}`, note: "'+1", evidence: "'@SUM(A1:A9)" });
    expect(b2).toMatchObject({ reason: "'\t=1", evidence: "'\r=1" });
    expect(ledger.find((r) => r.entryId === 'a5')).toMatchObject({ points: '-10', note: "'-2+3" });
    expect(ledger.find((r) => r.entryId === 'r1')).toMatchObject({ points: '-25' });
    const statuses = parse(await exported({ kind: 'statuses' }), { bom: true, columns: true }) as Record<string, string>[];
    expect(statuses[0]).toMatchObject({ pointsThisYear: '-10' });
    expect(statuses[2]).toMatchObject({ name: "'-2+3 Dora" });
    const claims = parse(await exported({ kind: 'claims' }), { bom: true, columns: true }) as Record<string, string>[];
    expect(claims[0]).toMatchObject({ details: `'${HOSTILE.claim1Details}` });
    expect(claims[1]).toMatchObject({ reason: `'${HOSTILE.claim2Reason}` });
    const partners = parse(await exported({ kind: 'partners' }), { bom: true, columns: true }) as Record<string, string>[];
    expect(partners.map((p) => p.name)).toEqual([HOSTILE.p1Name, HOSTILE.p1Name, `'${HOSTILE.p2Name}`, `'${HOSTILE.p2Name}`]);
  });

  it('leaves no cell that a spreadsheet would run, in any export, except a number', async () => {
    for (const [, request] of byKind) {
      const records = parse(await exported(request), { bom: true }) as string[][];
      for (const cell of records.flat()) if (/^[=+\-@\t\r]/.test(cell)) expect(cell).toMatch(/^-\d+$/);
    }
  });
});

describe('JSON Lines', () => {
  it.each(byKind)('%s: one typed object per line, text exactly as stored', async (kind, request, expected) => {
    const text = await exported({ ...request, format: 'jsonl' });
    expect(text.endsWith('}\n')).toBe(true);
    const objects = text.trimEnd().split('\n').map((line) => JSON.parse(line) as object);
    expect(objects).toEqual(expected);
    for (const object of objects) expect(Object.keys(object)).toEqual(HEADERS[kind]);
  });
});

describe('export requests', () => {
  const refusals: [string, ExportRequest, string, RegExp][] = [
    ['an unknown export', { kind: 'members' }, 'UNKNOWN_EXPORT', /must be statuses, ledger, claims, leaderboard, partners, not "members"/],
    ['an unknown format', { kind: 'ledger', format: 'xlsx' }, 'UNKNOWN_FORMAT', /csv or jsonl, not "xlsx"/],
    ['a date that does not exist', { kind: 'ledger', from: '2026-02-30' }, 'BAD_WHEN', /--from must be a date YYYY-MM-DD or an ISO-8601 instant/],
    ['an instant without an offset', { kind: 'statuses', at: '2026-11-01T10:00:00' }, 'BAD_WHEN', /--at must be/],
    ['words', { kind: 'claims', to: 'yesterday' }, 'BAD_WHEN', /--to must be .*not "yesterday"/],
    ['from after to', { kind: 'ledger', from: '2026-11-02', to: '2026-11-01' }, 'BAD_RANGE', /--from \(2026-11-02\) comes after --to \(2026-11-01\)/],
    ['from after now', { kind: 'claims', from: '2027-01-01' }, 'BAD_RANGE', /comes after --to \(now\)/],
    ['--at for the ledger', { kind: 'ledger', at: '2026-11-01' }, 'OPTION_NOT_VALID', /--at does not apply to the ledger export \(it takes --from, --to\)/],
    ['--from for statuses', { kind: 'statuses', from: '2026-11-01' }, 'OPTION_NOT_VALID', /--from does not apply to the statuses export \(it takes --at\)/],
    ['--period for partners', { kind: 'partners', period: 'month' }, 'OPTION_NOT_VALID', /--period does not apply/],
    ['a period that is not month or year', { kind: 'leaderboard', period: 'week' }, 'BAD_PERIOD', /--period must be month or year, not "week"/],
  ];

  it.each(refusals)('refuses %s with a code and a sentence', (_what, request, code, message) => {
    const result = checkExportRequest(catalog, request, AT);
    expect(result).toMatchObject({ ok: false, problem: { code } });
    expect(!result.ok && result.problem.message).toMatch(message);
  });

  it('fills in csv, now and both leaderboards; takes instants with an offset', () => {
    expect(checkExportRequest(catalog, { kind: 'ledger' }, AT)).toEqual({ ok: true, value: { kind: 'ledger', format: 'csv', from: -8.64e15, to: AT } });
    expect(checkExportRequest(catalog, { kind: 'leaderboard', at: '2026-11-01T10:00:00+01:00' }, AT)).toEqual({
      ok: true,
      value: { kind: 'leaderboard', format: 'csv', at: Date.parse('2026-11-01T09:00:00Z'), periods: ['month', 'year'] },
    });
  });

  it('names the download by its kind and dates in the program zone', () => {
    const name = (request: ExportRequest) => {
      const checked = checkExportRequest(catalog, request, AT);
      if (!checked.ok) throw new Error(checked.problem.message);
      return exportFileName(catalog, checked.value);
    };
    // 2026-06-01 starts at 2026-05-31T22:00Z: still 1 June in Brussels.
    expect(name({ kind: 'ledger', from: '2026-06-01', to: '2026-11-05' })).toBe('ledger-2026-06-01-to-2026-11-05.csv');
    expect(name({ kind: 'claims', format: 'jsonl' })).toBe('claims-start-to-2026-11-23.jsonl');
    expect(name({ kind: 'statuses', at: '2026-11-30T23:30:00Z' })).toBe('statuses-2026-12-01.csv');
  });

  it('a refused request writes nothing', async () => {
    const { stream, text } = collector();
    const result = await writeExport(state, catalog, { kind: 'ledger', at: '2026-11-01' }, stream, { now: AT });
    expect(result).toMatchObject({ ok: false, problem: { code: 'OPTION_NOT_VALID' } });
    expect(text()).toBe('');
  });
});
