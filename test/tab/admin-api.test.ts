// The administrators' API through the real server with Teams SSO tokens: refused to anyone not in
// ADMINS on every route, the overview and renewals equal to the CLI's status at the same instant, and
// claims decided through the same use case as the /review card, with the same outcomes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimDecisionNotice } from '../../src/core/notices.js';
import { cliExport, cliStatus } from './cli-status.js';
import { APP_ID_URI, FakeEntra } from './entra.js';
import { ADMIN_ROUTES, ALEX, BO, CY, DEE, FAY, NOW, startTabServer, type TabServer } from './fixtures.js';

const entra = new FakeEntra();
beforeAll(async () => {
  await entra.start();
});
afterAll(() => entra.stop());

let server: TabServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = async (env: Record<string, string> = {}) =>
  (server = await startTabServer({ env: { TAB_APP_ID_URI: APP_ID_URI, TAB_OPENID_METADATA_URL: entra.metadataUrl, ...env }, credentials: true }));

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, who: string | null, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (who) headers.authorization = `Bearer ${await entra.token(who)}`;
  if (body !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${server!.url}${path}`, { method, headers, ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const get = (path: string, who: string | null = CY) => call('GET', path, who);
const post = (path: string, body?: unknown, who: string | null = CY, contentType?: string) => call('POST', path, who, body, contentType);

describe('only administrators, checked on every call', () => {
  it.each(ADMIN_ROUTES)('%s %s: 401 without a sign-in, 403 for a member or a signed-in stranger, and nothing changes', async (method, path) => {
    await start();
    const before = JSON.stringify(server!.store.state.collections());
    const body = method === 'POST' ? { points: 3000, reason: 'no' } : undefined;
    const none = await call(method, path, null, body);
    expect([none.status, none.body.code]).toEqual([401, 'no-token']);
    for (const who of [ALEX, DEE]) {
      const refused = await call(method, path, who, body);
      expect(refused.status).toBe(403);
      // The refusal says what it is and nothing of the data behind it.
      expect(refused.body).toEqual({ code: 'not-admin', error: 'Only the program’s administrators can use this.' });
    }
    expect(JSON.stringify(server!.store.state.collections())).toBe(before);
  });

  it('follows ADMINS: the same user is let in once named there', async () => {
    await start({ ADMINS: `${CY},${ALEX.toUpperCase()}` });
    expect((await get('/api/admin/claims', ALEX)).status).toBe(200);
    expect((await get('/api/admin/claims', BO)).status).toBe(403);
  });
});

describe('the overview and the renewals', () => {
  it('counts members per level as the CLI’s status gives them, with points per month and the top actions of the year', async () => {
    await start();
    const { status, body } = await get('/api/admin/overview');
    expect(status).toBe(200);
    const statuses = await Promise.all([ALEX, BO, FAY].map(async (m) => (await cliStatus(server!.file, m)).status));
    const count = (level: string | null) => statuses.filter((s) => s === level).length;
    expect(body.levels).toEqual([
      { level: null, members: count(null) },
      { level: 'advocate', members: count('advocate') },
      { level: 'enabler', members: count('enabler') },
      { level: 'catalyst', members: count('catalyst') },
    ]);
    expect(statuses).toEqual(['enabler', 'enabler', 'advocate']);
    expect(body).toMatchObject({ at: new Date(NOW).toISOString(), enrolled: 3, upcoming: 0, year: '2026', timeZone: 'Europe/Brussels' });
    expect((body.months as { month: string; points: number }[]).map((m) => [m.month, m.points])).toEqual([
      ['2025-12', 0],
      ['2026-01', 750],
      ['2026-02', 500],
      ['2026-03', 775],
      ['2026-04', 250],
      ['2026-05', 500],
      ['2026-06', 4075],
      ['2026-07', 100],
      ['2026-08', 750],
      ['2026-09', 500],
      ['2026-10', 75],
      ['2026-11', 75],
    ]);
    // Hand-counted from the seed: ties on points by credits, then by id; kata.complete (75, one credit) is eleventh.
    expect((body.topActions as { action: string; points: number; entries: number }[]).map((a) => [a.action, a.points, a.entries])).toEqual([
      ['content.blog', 4000, 1],
      ['cert.fundamentals', 1000, 2],
      ['cert.automation', 750, 1],
      ['cert.configurator', 750, 1],
      ['cert.scripts-connectors', 750, 1],
      ['training.event', 500, 1],
      ['course.complete', 250, 1],
      ['feedback.form', 100, 3],
      ['docs.github-issue', 100, 1],
      ['qa.answer', 75, 4],
    ]);
  });

  it('at a date given: the end of that day, as the CLI’s --at; a date it cannot read is a 400', async () => {
    await start();
    const { body } = await get('/api/admin/overview?at=2026-06-30');
    expect(body.at).toBe('2026-06-30T21:59:59.999Z');
    expect((body.months as { month: string }[]).at(-1)?.month).toBe('2026-06');
    for (const at of ['yesterday', '2026-13-01', '2026-06-30T12:00:00']) {
      const refused = await get(`/api/admin/renewals?at=${at}`);
      expect([refused.status, refused.body.error]).toEqual([400, 'Give "at" as a date (2026-11-23) or an instant with its offset (2026-11-23T12:00:00Z).']);
    }
  });

  it('lists the renewals of the next 30 days with the CLI’s numbers and the reminders sent', async () => {
    await start();
    const { status, body } = await get('/api/admin/renewals');
    expect(status).toBe(200);
    const cli = await cliStatus(server!.file, FAY);
    expect(body).toEqual({
      at: new Date(NOW).toISOString(),
      timeZone: 'Europe/Brussels',
      withinDays: 30,
      renewals: [
        {
          member: { id: FAY, name: 'Fay Okafor', email: 'fay@example.com' },
          level: cli.status,
          points: cli.points,
          toKeep: cli.toKeepStatus,
          renewalDate: cli.year.end,
          daysToRenewal: cli.daysToRenewal,
          remindersOff: false,
          reminders: [{ daysBefore: 30, delivery: 'sent', sentAt: '2026-11-10T08:00:02.000Z' }],
        },
      ],
    });
    expect([cli.status, cli.points, cli.toKeepStatus, cli.year.end, cli.daysToRenewal]).toEqual(['advocate', 525, 225, '2026-12-10', 17]);
  });
});

describe('the review queue', () => {
  it('lists the pending claims oldest first, with what the reviewer chooses', async () => {
    await start();
    const { status, body } = await get('/api/admin/claims');
    expect(status).toBe(200);
    const claims = body.claims as Record<string, unknown>[];
    expect(claims.map((c) => c.id)).toEqual(['claim-alex-2', 'claim-alex-1', 'claim-bo-1']);
    expect(claims[0]).toMatchObject({
      kind: 'attendance',
      title: 'Internal automation workshop',
      member: { id: ALEX, name: 'Alex Wilber', email: 'alex@example.com' },
      dates: ['2026-11-12', '2026-11-13'],
      attendees: ['bo@example.com'],
      role: 'trainer',
      choose: {},
    });
    expect(claims[1]).toMatchObject({ action: 'content.blog', choose: { points: { min: 2500, max: 5000 } } });
    expect(claims[2]).toMatchObject({ action: 'docs.add-info', member: { id: BO, name: 'Bo Larsen' }, choose: { points: { min: 1, max: 5000 } } });
  });

  it('approves as the /review card does: credited at approval, the member’s notice in the outbox; a second approve changes nothing', async () => {
    await start();
    const entries = server!.store.state.ledger.size;
    const first = await post('/api/admin/claims/claim-alex-1/approve', { points: 3000 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      claim: { id: 'claim-alex-1', status: 'approved', decidedBy: CY, decidedAt: new Date(NOW).toISOString(), points: 3000 },
      credited: [{ memberId: ALEX, name: 'Alex Wilber', points: 3000 }],
      notCredited: [],
    });
    const state = server!.store.state;
    expect(state.claims.get('claim-alex-1')).toMatchObject({ status: 'approved', decidedBy: CY, points: 3000, credited: ['claim-alex-1.1'] });
    expect(state.entry('claim-alex-1.1')).toMatchObject({ memberId: ALEX, action: 'content.blog', points: 3000, by: CY, at: new Date(NOW).toISOString() });
    expect(state.notifications.get(`claim-decision:claim-alex-1:${ALEX}`)).toMatchObject({ kind: 'claim-decision', delivery: 'pending', status: 'approved', points: 3000 } satisfies Partial<ClaimDecisionNotice>);
    expect(state.ledger.size).toBe(entries + 1);

    const again = await post('/api/admin/claims/claim-alex-1/approve', { points: 4000 });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ALREADY_DECIDED', error: `Claim claim-alex-1 was already approved by ${CY} on 2026-11-23. Nothing was changed.` });
    const rejectedToo = await post('/api/admin/claims/claim-alex-1/reject', { reason: 'changed my mind' });
    expect(rejectedToo.status).toBe(409);
    expect(server!.store.state.ledger.size).toBe(entries + 1);
    expect(server!.store.state.claims.get('claim-alex-1')).toMatchObject({ status: 'approved', points: 3000 });
  });

  it('approves an attendance: each listed member credited 500 a day, no points chosen', async () => {
    await start();
    const { status, body } = await post('/api/admin/claims/claim-alex-2/approve');
    expect(status).toBe(200);
    expect(body.credited).toEqual([
      { memberId: ALEX, name: 'Alex Wilber', points: 1000 },
      { memberId: BO, name: 'Bo Larsen', points: 1000 },
    ]);
  });

  it('rejects with the reason the member is told', async () => {
    await start();
    const { status, body } = await post('/api/admin/claims/claim-bo-1/reject', { reason: '  The page already said this.  ' });
    expect(status).toBe(200);
    expect(body.claim).toMatchObject({ id: 'claim-bo-1', status: 'rejected', decidedBy: CY, reason: 'The page already said this.' });
    const state = server!.store.state;
    expect(state.claims.get('claim-bo-1')).toMatchObject({ status: 'rejected', reason: 'The page already said this.' });
    expect(state.notifications.get(`claim-decision:claim-bo-1:${BO}`)).toMatchObject({ status: 'rejected', reason: 'The page already said this.', delivery: 'pending' });
  });

  const refusals: [string, string, unknown, string | undefined, number, string][] = [
    ['points out of the rule’s range', 'claim-alex-1/approve', { points: 10 }, undefined, 400, 'OUT_OF_RANGE'],
    ['points missing where the rule needs them', 'claim-bo-1/approve', {}, undefined, 400, 'MISSING_INPUT'],
    ['points that are not whole', 'claim-alex-1/approve', { points: 2500.5 }, undefined, 400, 'bad-request'],
    ['points as text', 'claim-alex-1/approve', { points: 'lots' }, undefined, 400, 'bad-request'],
    ['a field the decision does not take', 'claim-alex-1/approve', { points: 3000, member: BO }, undefined, 400, 'bad-request'],
    ['a body that is not an object', 'claim-alex-1/approve', '[3000]', undefined, 400, 'bad-request'],
    ['a form body', 'claim-alex-1/approve', 'points=3000', 'application/x-www-form-urlencoded', 415, 'unsupported-media-type'],
    ['a rejection without a reason', 'claim-alex-1/reject', { reason: '   ' }, undefined, 400, 'MISSING_REASON'],
    ['a rejection without a body', 'claim-alex-1/reject', undefined, undefined, 400, 'bad-request'],
    ['a reason too long', 'claim-alex-1/reject', { reason: 'x'.repeat(501) }, undefined, 400, 'bad-request'],
    ['an unknown claim', 'claim-nobody/approve', { points: 3000 }, undefined, 404, 'UNKNOWN_CLAIM'],
  ];

  it.each(refusals)('refuses %s with a sentence, and changes nothing', async (_case, path, body, contentType, status, code) => {
    await start();
    const before = JSON.stringify(server!.store.state.collections());
    const answer = await post(`/api/admin/claims/${path}`, body, CY, contentType);
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expect(answer.body.error).toMatch(/^[A-Z].*\.$/);
    expect(JSON.stringify(server!.store.state.collections())).toBe(before);
  });
});

describe('the member search', () => {
  it('finds members by name or email, and opens one with their status and history', async () => {
    await start();
    expect((await get('/api/admin/members?q=LARSEN')).body).toEqual({ query: 'LARSEN', total: 1, members: [{ id: BO, name: 'Bo Larsen', email: 'bo@example.com', signedUpAt: '2026-02-01' }] });
    const all = await get('/api/admin/members?q=example.com');
    expect([all.body.total, (all.body.members as { name: string }[]).map((m) => m.name)]).toEqual([3, ['Alex Wilber', 'Bo Larsen', 'Fay Okafor']]);
    for (const q of ['', '%20%20', 'x'.repeat(101)]) expect((await get(`/api/admin/members?q=${q}`)).status).toBe(400);

    const { status, body } = await get(`/api/admin/members/${BO}`);
    expect(status).toBe(200);
    const { member: _m, at: _at, ...cli } = (await cliStatus(server!.file, BO)) as unknown as Record<string, unknown>;
    expect(body).toMatchObject({ enrolled: true, member: { id: BO, name: 'Bo Larsen' }, status: cli, admin: null });
    expect((body.history as { id: string }[]).map((e) => e.id)).toEqual(['bo-3', 'bo-2', 'bo-1']);
    expect((body.pendingClaims as { id: string }[]).map((c) => c.id)).toEqual(['claim-bo-1']);
    const unknown = await get('/api/admin/members/nobody');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'UNKNOWN_MEMBER']);
  });
});

describe('exports as downloads', () => {
  const downloads: [string, string[]][] = [
    ['statuses', []],
    ['statuses?format=jsonl&at=2026-06-30', ['--format', 'jsonl', '--at', '2026-06-30']],
    ['ledger', []],
    ['ledger?format=jsonl&from=2026-06-01&to=2026-09-30', ['--format', 'jsonl', '--from', '2026-06-01', '--to', '2026-09-30']],
    ['claims', []],
    ['claims?format=jsonl', ['--format', 'jsonl']],
    ['leaderboard?period=month', ['--period', 'month']],
    ['leaderboard?format=jsonl', ['--format', 'jsonl']],
    ['partners', []],
    ['partners?format=jsonl', ['--format', 'jsonl']],
  ];
  it.each(downloads)('%s: the bytes of the CLI’s export at the same instant, as an attachment', async (path, args) => {
    await start();
    const response = await fetch(`${server!.url}/api/admin/exports/${path}`, { headers: { authorization: `Bearer ${await entra.token(CY)}` } });
    expect(response.status).toBe(200);
    const kind = path.split('?')[0]!;
    const jsonl = path.includes('format=jsonl');
    expect(response.headers.get('content-type')).toBe(jsonl ? 'application/jsonl; charset=utf-8' : 'text/csv; charset=utf-8; header=present');
    expect(response.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="${kind}-[0-9a-z-]+\\.${jsonl ? 'jsonl' : 'csv'}"$`));
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = Buffer.from(await response.arrayBuffer());
    // Rows in every export but the partners' (the tab's store has no partner), so the comparison has content.
    const rows = body.toString('utf8').split('\n').filter(Boolean).length - (jsonl ? 0 : 1);
    expect(rows > 0).toBe(kind !== 'partners');
    expect(body.equals(await cliExport(server!.file, [kind, ...args]))).toBe(true);
  });

  it.each([
    ['an unknown export', 'payroll', 'UNKNOWN_EXPORT', 'The export must be statuses, ledger, claims, leaderboard, partners, not "payroll".'],
    ['an unknown format', 'ledger?format=xlsx', 'UNKNOWN_FORMAT', 'The format must be csv or jsonl, not "xlsx".'],
    ['an option the export does not take', 'ledger?at=2026-01-01', 'OPTION_NOT_VALID', '"at" does not apply to the ledger export (it takes "from", "to").'],
    ['a date that is not one', 'statuses?at=yesterday', 'BAD_WHEN', '"at" must be a date YYYY-MM-DD or an ISO-8601 instant with Z or an offset, not "yesterday".'],
    ['a range the wrong way round', 'claims?from=2026-06-01&to=2026-05-01', 'BAD_RANGE', '"from" (2026-06-01) comes after "to" (2026-05-01).'],
    ['an unknown period', 'leaderboard?period=week', 'BAD_PERIOD', '"period" must be month or year, not "week".'],
  ])('refuses %s with 400 and a sentence naming the query parameter', async (_what, path, code, error) => {
    await start();
    const answer = await get(`/api/admin/exports/${path}`);
    expect(answer).toEqual({ status: 400, body: { code, error } });
  });
});
