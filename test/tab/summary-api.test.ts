// GET /api/me/summary: Teams SSO tokens checked against keys served on loopback, the development
// sign-in in local mode only, and never another member's data.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import type { MeSummary } from '../../src/api/me-summary.js';
import { cliStatus } from './cli-status.js';
import { APP_ID_URI, CLIENT_ID, FakeEntra, signingKey } from './entra.js';
import { ALEX, BO, CY, DEE, NOW, startTabServer, TENANT, type TabServer } from './fixtures.js';

type Enrolled = Extract<MeSummary, { enrolled: true }>;

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

const sso = (extra: Record<string, string> = {}) => ({ TAB_APP_ID_URI: APP_ID_URI, TAB_OPENID_METADATA_URL: entra.metadataUrl, ...extra });

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${server!.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

const summary = (token: string, path = '/api/me/summary') => get(path, { authorization: `Bearer ${token}` });

describe('a valid Teams SSO token', () => {
  it("gets the signed-in member's own summary, with the numbers of the CLI's status", async () => {
    server = await startTabServer({ env: sso(), credentials: true });
    const { status, body, headers } = await summary(await entra.token(ALEX));
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    const s = body as unknown as Enrolled;
    expect(s.enrolled).toBe(true);
    expect(s.member).toEqual({ id: ALEX, name: 'Alex Wilber', email: 'alex@example.com', signedUpAt: '2025-04-12' });
    const { member: _m, at, ...cli } = await cliStatus(server.file, ALEX);
    expect(s.at).toBe(at);
    expect(s.status).toEqual(cli);
    // The seed's worked numbers: Enabler carried from a 5,250-point first year; 1,575 this year.
    expect(s.status).toMatchObject({ points: 1575, status: 'enabler', carried: 'enabler', nextLevel: 'catalyst', pointsToNextLevel: 13425, toKeepStatus: 3425, daysToRenewal: 140 });
    expect(s.status?.year).toEqual({ number: 2, start: '2026-04-12', end: '2027-04-12' });
  });

  it('carries the months, history and pending claims of this membership year, and only the member’s own', async () => {
    server = await startTabServer({ env: sso(), credentials: true });
    const s = (await summary(await entra.token(ALEX))).body as unknown as Enrolled;
    expect(s.months.map((m) => m.month)).toEqual([
      '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03', '2027-04',
    ]);
    expect(s.months.filter((m) => m.future).map((m) => m.month)).toEqual(['2026-12', '2027-01', '2027-02', '2027-03', '2027-04']);
    expect(s.months.reduce((sum, m) => sum + m.points, 0)).toBe(s.status!.points);
    expect(s.months.find((m) => m.month === '2026-07')?.points).toBe(100); // the monthly cap of feedback.form
    expect(s.history.map((e) => e.id)).toEqual(['y1-12', 'y1-11', 'y1-10', 'y1-9', 'y1-8', 'y1-7', 'y1-6', 'y1-5', 'y1-4', 'y1-3', 'y1-2', 'y1-1']);
    expect(s.history.every((e) => !e.id.startsWith('bo-') && !e.id.startsWith('y0-'))).toBe(true);
    expect(s.historyTotal).toBe(s.history.length);
    const capped = s.history.find((e) => e.id === 'y1-8')!;
    expect(capped.points).toBe(0);
    expect(capped.reason).toMatch(/cap/i);
    expect(s.history.find((e) => e.id === 'y1-5')).toMatchObject({ reversed: true, points: 25 });
    expect(s.history.find((e) => e.id === 'y1-11')).toMatchObject({ reverses: 'y1-5', points: -25, note: 'Answer removed as a duplicate', title: 'Correction: Answer a question' });
    expect(s.pendingClaims.map((c) => c.id)).toEqual(['claim-alex-1', 'claim-alex-2']);
    expect(s.pendingClaims[1]).toMatchObject({ kind: 'attendance', title: 'Internal automation workshop', dates: ['2026-11-12', '2026-11-13'] });
    expect(s.admin).toBeNull();
    expect(JSON.stringify(s)).not.toMatch(/bo@example\.com|Bo Larsen|claim-bo-1/);
  });

  it('accepts a v1 token (issuer sts.windows.net, audience the app ID URI)', async () => {
    server = await startTabServer({ env: sso(), credentials: true });
    const token = await entra.token(BO, { aud: APP_ID_URI, iss: `https://sts.windows.net/${TENANT}/`, ver: '1.0' });
    const { status, body } = await summary(token);
    expect(status).toBe(200);
    expect((body as unknown as Enrolled).member.id).toBe(BO);
  });

  it('reads the metadata and keys once for many requests', async () => {
    server = await startTabServer({ env: sso(), credentials: true });
    entra.hits.clear();
    for (const who of [ALEX, BO, ALEX]) expect((await summary(await entra.token(who))).status).toBe(200);
    expect([...entra.hits.values()]).toEqual([1, 1]);
  });
});

describe('tokens that are refused with 401', () => {
  const cases: [string, () => Promise<Record<string, string>>, string][] = [
    ['no Authorization header', async () => ({}), 'no-token'],
    ['a scheme other than Bearer', async () => ({ authorization: 'Basic YWxleDpzZWNyZXQ=' }), 'malformed'],
    ['a token that is not a JWT', async () => ({ authorization: 'Bearer not-a-token' }), 'malformed'],
    ['a JWT without its signature', async () => ({ authorization: `Bearer ${(await entra.token(ALEX)).split('.').slice(0, 2).join('.')}.` }), 'bad-signature'],
    ['a JWT cut short', async () => ({ authorization: `Bearer ${(await entra.token(ALEX)).split('.').slice(0, 2).join('.')}` }), 'malformed'],
    ['an unsigned token (alg none)', async () => ({ authorization: `Bearer ${unsigned(ALEX)}` }), 'malformed'],
    ['a token signed by another key under the known key id', async () => ({ authorization: `Bearer ${await entra.token(ALEX, {}, { key: await signingKey('test-key-1') })}` }), 'bad-signature'],
    ['a token signed by an unknown key', async () => ({ authorization: `Bearer ${await entra.token(ALEX, {}, { key: await signingKey('stranger') })}` }), 'bad-signature'],
    ['a token whose payload was changed after signing', async () => ({ authorization: `Bearer ${swapPayload(await entra.token(BO), await entra.token(ALEX))}` }), 'bad-signature'],
    ['an expired token', async () => ({ authorization: `Bearer ${await entra.token(ALEX, { exp: Math.floor(NOW / 1000) - 600 })}` }), 'expired'],
    ['a token not valid yet', async () => ({ authorization: `Bearer ${await entra.token(ALEX, { nbf: Math.floor(NOW / 1000) + 3600, exp: Math.floor(NOW / 1000) + 7200 })}` }), 'not-yet-valid'],
    ['a token for another app (audience)', async () => ({ authorization: `Bearer ${await entra.token(ALEX, { aud: 'api://points.example.com/11111111-2222-4333-8444-555555555555' })}` }), 'wrong-audience'],
    ['a token for Microsoft Graph', async () => ({ authorization: `Bearer ${await entra.token(ALEX, { aud: '00000003-0000-0000-c000-000000000000' })}` }), 'wrong-audience'],
    ['a token whose issuer names another tenant than its tid', async () => ({ authorization: `Bearer ${await entra.token(ALEX, { iss: 'https://login.microsoftonline.com/00000000-1111-4222-8333-444444444444/v2.0' })}` }), 'wrong-issuer'],
    ['a token from an issuer that is not Entra', async () => ({ authorization: `Bearer ${await entra.token(ALEX, { iss: `https://evil.example.com/${TENANT}/v2.0` })}` }), 'wrong-issuer'],
    ['an app-only token (no delegated scope)', async () => ({ authorization: `Bearer ${await entra.token(ALEX, { scp: undefined, roles: ['Points.Read'] })}` }), 'no-scope'],
    ['a token without an object id', async () => ({ authorization: `Bearer ${await entra.token('', { oid: undefined })}` }), 'no-user'],
  ];

  it.each(cases)('%s', async (_name, headers, code) => {
    server = await startTabServer({ env: sso(), credentials: true });
    const { status, body, headers: answer } = await get('/api/me/summary', await headers());
    expect(status).toBe(401);
    expect(body.code).toBe(code);
    expect(typeof body.error).toBe('string');
    expect(answer.get('www-authenticate')).toMatch(/^Bearer/);
    expect(JSON.stringify(body)).not.toMatch(/Alex|points/);
  });

  it('refuses users of tenants outside TAB_ALLOWED_TENANTS', async () => {
    server = await startTabServer({ env: sso({ TAB_ALLOWED_TENANTS: '00000000-1111-4222-8333-444444444444' }), credentials: true });
    const { status, body } = await summary(await entra.token(ALEX));
    expect([status, body.code]).toEqual([401, 'wrong-tenant']);
  });

  it('refuses Teams tokens with a sentence when SSO is not configured', async () => {
    server = await startTabServer({ credentials: true });
    const { status, body } = await summary(await entra.token(ALEX));
    expect([status, body.code]).toEqual([401, 'sso-not-configured']);
    expect(body.error).toContain('TAB_APP_ID_URI');
  });

  it('answers 503, not 401, when the keys cannot be read, and recovers when they can', async () => {
    const down = new FakeEntra();
    await down.start();
    const metadata = down.metadataUrl;
    await down.stop();
    server = await startTabServer({ env: sso({ TAB_OPENID_METADATA_URL: metadata }), credentials: true });
    const { status, body, headers } = await summary(await entra.token(ALEX));
    expect([status, body.code]).toEqual([503, 'keys-unavailable']);
    expect(Number(headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('no way to read another member', () => {
  it('ignores any member named in the query or the body: the token decides', async () => {
    server = await startTabServer({ env: sso(), credentials: true });
    const token = await entra.token(ALEX);
    for (const path of [`/api/me/summary?member=${BO}`, `/api/me/summary?oid=${BO}&id=bo@example.com`]) {
      const { status, body } = await summary(token, path);
      expect(status).toBe(200);
      expect((body as unknown as Enrolled).member.id).toBe(ALEX);
    }
    const posted = await fetch(`${server.url}/api/me/summary`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ member: BO }) });
    expect(posted.status).toBe(405);
    for (const path of [`/api/members/${BO}/summary`, `/api/me/summary/${BO}`]) expect((await summary(token, path)).status).toBe(404);
  });

  it('tells a signed-in user who is not a member only that, and an administrator how many claims wait', async () => {
    server = await startTabServer({ env: sso(), credentials: true });
    const dee = (await summary(await entra.token(DEE))).body;
    expect(dee).toMatchObject({ enrolled: false, admin: null });
    expect(Object.keys(dee).sort()).toEqual(['admin', 'at', 'enrolled', 'levels', 'timeZone']);
    const cy = (await summary(await entra.token(CY))).body;
    expect(cy).toMatchObject({ enrolled: false, admin: { claimsWaiting: 3 } });
  });
});

describe('the development sign-in', () => {
  const signIn = (member: unknown) =>
    fetch(`${server!.url}/api/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ member }) });

  it('exists in local mode: a member by email or id, then their summary', async () => {
    server = await startTabServer();
    expect((await get('/api/tab/settings')).body).toEqual({ devSignIn: true, sso: false });
    const response = await signIn('alex@example.com');
    expect(response.status).toBe(200);
    const { token, member } = (await response.json()) as { token: string; member: unknown };
    expect(member).toEqual({ id: ALEX, name: 'Alex Wilber' });
    const s = (await summary(token)).body as unknown as Enrolled;
    expect(s.member.id).toBe(ALEX);
    expect((await signIn(BO)).status).toBe(200);
    expect((await signIn('nobody@example.com')).status).toBe(404);
    expect((await signIn(42)).status).toBe(400);
  });

  it('never exists when Bot Framework credentials are set, and its tokens are refused there', async () => {
    const local = await startTabServer();
    const { token } = (await (await fetch(`${local.url}/api/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"member":"alex@example.com"}' })).json()) as { token: string };
    await local.close();
    server = await startTabServer({ env: sso(), credentials: true });
    expect((await get('/api/tab/settings')).body).toEqual({ devSignIn: false, sso: true });
    expect((await signIn('alex@example.com')).status).toBe(404);
    const { status, body } = await summary(token);
    expect([status, body.code]).toEqual([401, 'malformed']);
  });

  it('refuses a token signed with a key of its own choosing (the key is made at start and kept in memory)', async () => {
    server = await startTabServer();
    const forged = await new SignJWT({ oid: ALEX })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('devops-points:development-sign-in')
      .setAudience('devops-points:tab')
      .setIssuedAt(Math.floor(NOW / 1000))
      .setExpirationTime(Math.floor(NOW / 1000) + 600)
      .sign(new TextEncoder().encode('a guess at the secret, 32 bytes long!!'));
    const { status, body } = await summary(forged);
    expect([status, body.code]).toEqual([401, 'bad-signature']);
  });
});

function unsigned(oid: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ oid, aud: CLIENT_ID, tid: TENANT, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, exp: Math.floor(NOW / 1000) + 600, scp: 'access_as_user' })}.`;
}

/** The header and signature of one token around the payload of another. */
function swapPayload(signed: string, other: string): string {
  const [header, , signature] = signed.split('.');
  return `${header}.${other.split('.')[1]}.${signature}`;
}
