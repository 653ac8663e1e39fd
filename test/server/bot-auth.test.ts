// POST /api/messages in auth mode (MicrosoftAppId set) against forged and unverifiable tokens, with the
// Bot Framework key source served on loopback, down, or never answering: 401 with a code, or 503 with
// Retry-After when the keys cannot be had; never botbuilder's text, never a stack trace; one key read
// shared by concurrent requests; nothing reaches the connector. A correctly signed token is accepted.
import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { SignJWT, type JWTPayload } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { discard, message, NOW, readable, startBot, type BotHarness, type Speaker } from '../support/bot-server.js';
import { signingKey, type SigningKey } from '../tab/entra.js';
import { closedMetadataUrl, KeyServer, METADATA_PATH } from './key-server.js';

const APP_ID = '0b6b0a7e-2f63-4c1e-9d1a-3c5e8f1a2b4c';
const TENANT = '7d3a9c1e-5b2f-4e8a-9c6d-1f0e2d3c4b5a';
const credentials = { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used-here', MicrosoftAppType: 'MultiTenant' };
const ann: Speaker = { id: '29:ann', aadObjectId: 'aad-ann', name: 'Ann Peeters' };
const seed = [{ type: 'member', id: 'aad-ann', email: 'ann@example.com', name: 'Ann Peeters', signedUpAt: '2026-04-12' }];

/** A test RSA key as Bot Framework publishes its own: with the channels it signs for. */
async function testKey(kid: string, endorsements: string[]): Promise<SigningKey> {
  const key = await signingKey(kid);
  return { ...key, publicJwk: { ...key.publicJwk, endorsements } };
}

/** The bot's own outbound token without Entra ID (MSAL reaches login.microsoftonline.com over https
 * only); what it sends still goes to the stub connector. */
class FixedOutboundToken extends ConfigurationServiceClientCredentialFactory {
  override async createCredentials(): ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']> {
    return {
      async signRequest(request) {
        request.headers.set('authorization', 'Bearer outbound-test-token');
        return request;
      },
    };
  }
}

const sources: KeyServer[] = [];
let bot: BotHarness | undefined;
let consoleError: MockInstance;
beforeEach(() => {
  consoleError = vi.spyOn(console, 'error');
});
afterEach(async () => {
  consoleError.mockRestore();
  await discard(bot);
  bot = undefined;
  for (const source of sources.splice(0)) await source.stop();
});

async function keyServer(mode: KeyServer['mode']): Promise<KeyServer> {
  const source = await new KeyServer().start();
  source.mode = mode;
  sources.push(source);
  return source;
}

async function servedKeys(): Promise<{ source: KeyServer; teams: SigningKey; skype: SigningKey }> {
  const source = await keyServer('serve');
  const teams = await testKey('bf-key-1', ['msteams', 'webchat']);
  const skype = await testKey('bf-key-skype', ['skype']);
  source.keys = [teams.publicJwk, skype.publicJwk];
  return { source, teams, skype };
}

async function start(channelMetadataUrl: string, extra: { entraMetadataUrl?: string; tenant?: string } = {}): Promise<BotHarness> {
  bot = await startBot({
    seed,
    credentials: { ...credentials, ...(extra.tenant && { MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: extra.tenant }) },
    env: { BOT_OPENID_METADATA_URL: channelMetadataUrl, ...(extra.entraMetadataUrl && { BOT_ENTRA_OPENID_METADATA_URL: extra.entraMetadataUrl }) },
    outboundCredentials: new FixedOutboundToken(credentials),
  });
  return bot;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** A Bot Framework channel token for the bot, valid from just before NOW to an hour past the real clock
 * (this server checks it at NOW, botbuilder at the real time). */
function channelToken(h: BotHarness, key: SigningKey, claims: JWTPayload = {}, alg = 'RS256'): Promise<string> {
  const issued = seconds(Math.min(NOW, Date.now())) - 60;
  return new SignJWT({ iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: h.connector.url, iat: issued, nbf: issued, exp: seconds(Math.max(NOW, Date.now())) + 3600, ...claims })
    .setProtectedHeader({ alg, typ: 'JWT', kid: key.kid })
    .sign(key.privateKey);
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token (alg none) with the claims of a good one. */
const unsigned = (claims: JWTPayload) => `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;

async function hs256(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'bf-key-1' }).sign(new TextEncoder().encode(credentials.MicrosoftAppPassword));
}

interface Refused {
  status: number;
  body: { code?: string; error?: string };
  retryAfter: string | null;
  connection: string | null;
}

async function post(h: BotHarness, authorization: string | undefined): Promise<Refused> {
  const response = await fetch(`${h.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
    body: JSON.stringify(message(h, ann, 'points')),
  });
  return { status: response.status, body: (await response.json()) as Refused['body'], retryAfter: response.headers.get('retry-after'), connection: response.headers.get('connection') };
}

/** Every kind of forged or unusable Authorization header, and the code it is refused with. */
async function forgeries(h: BotHarness, keys: { teams: SigningKey; stranger: SigningKey; skype: SigningKey }): Promise<[string, string | undefined, string][]> {
  const good = { iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: h.connector.url, exp: seconds(NOW) + 3600 };
  return [
    ['no Authorization header', undefined, 'no-token'],
    ['another scheme', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l', 'malformed'],
    ['a token that is not a JWT', 'Bearer not.a.token', 'malformed'],
    ['an unsigned token (alg none)', `Bearer ${unsigned(good)}`, 'wrong-algorithm'],
    ['a token signed with HS256 (the app password as secret)', `Bearer ${await hs256(good)}`, 'wrong-algorithm'],
    ['a token signed by an unknown key', `Bearer ${await channelToken(h, keys.stranger)}`, 'bad-signature'],
    ['a token signed by another key under a known key id', `Bearer ${await channelToken(h, { ...keys.stranger, kid: keys.teams.kid })}`, 'bad-signature'],
    ['an expired token', `Bearer ${await channelToken(h, keys.teams, { exp: seconds(NOW) - 600 })}`, 'expired'],
    ['a token for another app', `Bearer ${await channelToken(h, keys.teams, { aud: '11111111-2222-4333-8444-555555555555' })}`, 'wrong-audience'],
    ['a token from another issuer', `Bearer ${await channelToken(h, keys.teams, { iss: 'https://evil.example.com' })}`, 'wrong-issuer'],
    ['an Entra ID token of a tenant that is not the bot’s', `Bearer ${await channelToken(h, keys.teams, { iss: `https://sts.windows.net/${TENANT}/` })}`, 'wrong-issuer'],
    ['a token for another service URL', `Bearer ${await channelToken(h, keys.teams, { serviceurl: 'https://smba.example.com/emea/' })}`, 'wrong-service-url'],
    ['a token signed by a key not endorsed for msteams', `Bearer ${await channelToken(h, keys.skype)}`, 'wrong-channel'],
  ];
}

describe('Bot Framework tokens, keys served on loopback', () => {
  it('refuses every forged token with 401, a code and a sentence, and nothing reaches the connector', async () => {
    const { teams, skype } = await servedKeys();
    const h = await start(sources[0]!.metadataUrl);
    const stranger = await testKey('stranger', ['msteams']);
    for (const [name, authorization, code] of await forgeries(h, { teams, stranger, skype })) {
      const answer = await post(h, authorization);
      expect([answer.status, answer.body.code], name).toEqual([401, code]);
      expect(answer.body.error, name).toMatch(/^The (request|token)/);
    }
    expect(h.connector.requests).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('accepts a token signed by a Bot Framework key, and the bot replies through the connector', async () => {
    const { source, teams } = await servedKeys();
    const h = await start(source.metadataUrl);
    const response = await fetch(`${h.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await channelToken(h, teams)}` },
      body: JSON.stringify(message(h, ann, 'points')),
    });
    expect(response.status).toBe(200);
    expect(readable(h.connector.sent())).toContain('Ann Peeters');
  });

  it('reads the metadata and keys once for many forged tokens at once', async () => {
    const { source, teams } = await servedKeys();
    const h = await start(source.metadataUrl);
    const stranger = await testKey('stranger', ['msteams']);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => channelToken(h, i % 2 ? stranger : { ...stranger, kid: teams.kid })));
    const answers = await Promise.all(tokens.map((token) => post(h, `Bearer ${token}`)));
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(Array(20).fill([401, 'bad-signature']));
    expect([...source.hits.entries()]).toEqual([
      [METADATA_PATH, 1],
      ['/v1/.well-known/keys', 1],
    ]);
    expect(h.connector.requests).toEqual([]);
  });

  it('answers 401 JSON, not 500 with botbuilder’s text, to a token this server accepts and botbuilder refuses', async () => {
    const { source, teams } = await servedKeys();
    // An Entra ID token of the bot's own tenant, without the "ver" claim botbuilder requires of one.
    const h = await start(source.metadataUrl, { entraMetadataUrl: source.metadataUrl, tenant: TENANT });
    const answer = await post(h, `Bearer ${await channelToken(h, teams, { iss: `https://sts.windows.net/${TENANT}/`, tid: TENANT })}`);
    expect([answer.status, answer.body]).toEqual([401, { code: 'refused', error: 'Bot Framework authentication refused the token.' }]);
    expect(h.connector.requests).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('refuses a request without a token before reading its body, however large', async () => {
    const { source } = await servedKeys();
    const h = await start(source.metadataUrl);
    const response = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(3 * 1024 * 1024) });
    expect(response.status).toBe(401);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ code: 'no-token', error: 'The request has no Bearer token.' });
  });

  it('answers 503 when botbuilder cannot read its own copy of the keys in time', async () => {
    const { source, teams } = await servedKeys();
    // This server's read (metadata and keys) is answered; botbuilder's, right after, never is.
    source.answerOnly = 2;
    const h = await start(source.metadataUrl);
    const answer = await post(h, `Bearer ${await channelToken(h, teams)}`);
    expect([answer.status, answer.body.code]).toEqual([503, 'keys-unavailable']);
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(h.connector.requests).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('answers 100 unauthenticated or forged requests sent at once with 401 JSON, and none reaches the connector', async () => {
    const { source, teams, skype } = await servedKeys();
    const h = await start(source.metadataUrl);
    const stranger = await testKey('stranger', ['msteams']);
    const kinds = await forgeries(h, { teams, stranger, skype });
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => post(h, kinds[i % kinds.length]![1])));
    expect(answers.filter((a) => a.status !== 401 || typeof a.body.code !== 'string')).toEqual([]);
    expect(source.reads()).toBe(2);
    expect(h.connector.requests).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
  });
});

describe('Bot Framework tokens, key source unreachable', () => {
  it('answers 503 with Retry-After to tokens that need the keys, 401 to the rest, and closes the connection', async () => {
    const h = await start(await closedMetadataUrl());
    const teams = await testKey('bf-key-1', ['msteams']);
    const skype = await testKey('bf-key-skype', ['skype']);
    const stranger = await testKey('stranger', ['msteams']);
    const kinds = await forgeries(h, { teams, stranger, skype });
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => post(h, kinds[i % kinds.length]![1])));
    for (const [i, answer] of answers.entries()) {
      const [name, , code] = kinds[i % kinds.length]!;
      expect(answer.connection, name).toBe('close');
      if (answer.status === 503) {
        expect(answer.body.code, name).toBe('keys-unavailable');
        expect(Number(answer.retryAfter), name).toBeGreaterThanOrEqual(1);
      } else expect([answer.status, answer.body.code], name).toEqual([401, code]);
    }
    // Signed tokens cannot be checked without the keys; what the claims refuse needs none.
    expect(answers.filter((a) => a.status === 503).length).toBe(answers.filter((_, i) => ['bad-signature', 'wrong-service-url', 'wrong-channel'].includes(kinds[i % kinds.length]![2])).length);
    expect(h.connector.requests).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('gives up on a key source that never answers after its timeout, with one read for all requests', async () => {
    const source = await keyServer('hang');
    const h = await start(source.metadataUrl);
    const teams = await testKey('bf-key-1', ['msteams']);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => channelToken(h, teams)));
    // Answered, which the fetch timeout (5 s) bounds; the test's own timeout is the only clock here.
    const answers = await Promise.all(tokens.map((token) => post(h, `Bearer ${token}`)));
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(Array(10).fill([503, 'keys-unavailable']));
    expect(answers.every((a) => Number(a.retryAfter) >= 1)).toBe(true);
    expect(source.reads()).toBe(1);
    expect(h.connector.requests).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
  });
});
