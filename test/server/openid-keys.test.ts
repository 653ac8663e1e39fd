// The shared key source of the bot endpoint and the tab API, against a key server on loopback and a
// clock the test moves: one read for concurrent callers, no read again for an unknown key until the
// cooldown is over, none during the pause after a failure, and keys in hand kept while the source is down.
import { errors, type FlattenedJWSInput } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeysUnavailableError, MAX_AGE_MS, openIdKeys, RETRY_PAUSE_MS, UNKNOWN_KEY_COOLDOWN_MS } from '../../src/api/openid-keys.js';
import { signingKey } from '../tab/entra.js';
import { KeyServer } from './key-server.js';

const publicKey = async (kid: string) => (await signingKey(kid)).publicJwk;

const header = (kid: string) => ({ alg: 'RS256', kid });
const token = {} as FlattenedJWSInput;

let server: KeyServer;
let now = 0;
const clock = () => now;
beforeEach(async () => {
  server = await new KeyServer().start();
  server.keys = [await publicKey('k1')];
  now = 1_000_000;
});
afterEach(() => server.stop());

describe('keys from OpenID metadata', () => {
  it('reads the metadata and keys once for concurrent callers, and not again while they are fresh', async () => {
    const keys = openIdKeys(server.metadataUrl, { clock });
    const found = await Promise.all(Array.from({ length: 5 }, () => keys.getKey(header('k1'), token)));
    expect(found.every((key) => key.type === 'public')).toBe(true);
    now += MAX_AGE_MS - 1;
    await keys.getKey(header('k1'), token);
    expect(server.reads()).toBe(2);
    expect(keys.published('k1')).toMatchObject({ kid: 'k1', use: 'sig' });
  });

  it('refuses a key it does not have without reading again until the cooldown is over, then reads once', async () => {
    const keys = openIdKeys(server.metadataUrl, { clock });
    await keys.getKey(header('k1'), token);
    server.keys.push(await publicKey('k2'));
    await expect(keys.getKey(header('k2'), token)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(server.reads()).toBe(2);
    now += UNKNOWN_KEY_COOLDOWN_MS;
    await Promise.all([keys.getKey(header('k2'), token), keys.getKey(header('k2'), token)]);
    expect(server.reads()).toBe(4);
  });

  it('after a failed read answers KeysUnavailableError with Retry-After and reads nothing until the pause is over', async () => {
    server.mode = 'fail';
    const keys = openIdKeys(server.metadataUrl, { clock });
    const failure = await keys.getKey(header('k1'), token).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KeysUnavailableError);
    expect((failure as KeysUnavailableError).retryAfterSeconds).toBe(RETRY_PAUSE_MS / 1000);
    expect((failure as Error).message).toContain('answered 503');
    now += RETRY_PAUSE_MS - 1500;
    const paused = await keys.getKey(header('k1'), token).catch((error: unknown) => error);
    expect((paused as KeysUnavailableError).retryAfterSeconds).toBe(2);
    expect(server.reads()).toBe(1);
    server.mode = 'serve';
    now += 1500;
    await keys.getKey(header('k1'), token);
    expect(server.reads()).toBe(3);
  });

  it('keeps using the keys it has when reading them again fails', async () => {
    const keys = openIdKeys(server.metadataUrl, { clock });
    await keys.getKey(header('k1'), token);
    server.mode = 'fail';
    now += MAX_AGE_MS + 1;
    await keys.getKey(header('k1'), token);
    await keys.getKey(header('k1'), token);
    expect(server.reads()).toBe(3);
  });

  it('takes keys over http only from the host that serves the metadata', async () => {
    const keys = openIdKeys(server.metadataUrl.replace('127.0.0.1', 'localhost'), { clock });
    await expect(keys.getKey(header('k1'), token)).rejects.toThrow(/no usable jwks_uri/);
  });
});
