// Signing keys named by an OpenID Connect metadata document (its jwks_uri), shared by every request of
// the process that needs them. Whatever tokens are presented, the key source sees at most one read at a
// time, each bounded by a timeout, and after a failure none for a pause: forged tokens can neither make
// this server hammer the key source nor make requests wait on it.
import { createLocalJWKSet, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWK, type JWSHeaderParameters } from 'jose';

/** The whole read, metadata and keys: a key source that does not answer costs a request this much. */
export const FETCH_TIMEOUT_MS = 5000;
/** After a failed read, requests that need the keys are answered 503 this long before the next try. */
export const RETRY_PAUSE_MS = 10_000;
/** Keys are read again after this; if that fails, the keys in hand are used meanwhile. */
export const MAX_AGE_MS = 3_600_000;
/** A token naming a key not in the set reads the keys again at most this often (keys rotate rarely). */
export const UNKNOWN_KEY_COOLDOWN_MS = 5 * 60_000;

/** The signing keys could not be had (network, metadata): the server's problem, answered with 503. */
export class KeysUnavailableError extends Error {
  constructor(
    message: string,
    /** For the Retry-After header: when the next read will be tried. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export interface OpenIdKeys {
  /** A key resolver for jose's jwtVerify: jose's JWKSNoMatchingKey for a key not in the set, KeysUnavailableError when the set cannot be read. */
  getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey>;
  /** The published entry of a key, for the members jose does not read (Bot Framework's endorsements). */
  published(kid: string | undefined): JWK | undefined;
}

interface KeysInHand {
  jwks: JSONWebKeySet;
  resolve: ReturnType<typeof createLocalJWKSet>;
  /** When they were read, on the monotonic clock. */
  at: number;
}

export function openIdKeys(metadataUrl: string, options: { clock?: () => number } = {}): OpenIdKeys {
  // Ages and pauses on a monotonic clock: they are about this process's I/O, not about the business day.
  const clock = options.clock ?? (() => performance.now());
  let keys: KeysInHand | undefined;
  let reading: Promise<KeysInHand> | undefined;
  let failedAt = -Infinity;
  const pausedMs = () => failedAt + RETRY_PAUSE_MS - clock();
  const unavailable = (reason: string) =>
    new KeysUnavailableError(`The signing keys of ${metadataUrl} could not be read: ${reason}`, Math.max(1, Math.ceil(pausedMs() / 1000)));

  /** One read at a time, shared by every request waiting for it. */
  const read = (): Promise<KeysInHand> => {
    if (pausedMs() > 0) return Promise.reject(unavailable('the last try failed; waiting before the next'));
    reading ??= (async () => {
      try {
        const jwks = await fetchKeys(metadataUrl);
        keys = { jwks, resolve: createLocalJWKSet(jwks), at: clock() };
        return keys;
      } catch (error) {
        failedAt = clock();
        throw unavailable((error as Error).message);
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };

  return {
    async getKey(header, token) {
      let inHand = keys;
      if (!inHand) inHand = await read();
      else if (clock() - inHand.at > MAX_AGE_MS) inHand = await read().catch(() => inHand!);
      try {
        return await inHand.resolve(header, token);
      } catch (error) {
        // A key not in a set read a while ago may be a new one: read again, once for everyone.
        if (!(error instanceof errors.JWKSNoMatchingKey) || clock() - inHand.at < UNKNOWN_KEY_COOLDOWN_MS) throw error;
        return (await read()).resolve(header, token);
      }
    },
    published(kid) {
      return keys?.jwks.keys.find((key) => key.kid === kid);
    },
  };
}

async function fetchKeys(metadataUrl: string): Promise<JSONWebKeySet> {
  const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  const metadata = (await fetchJson(metadataUrl, signal)) as { jwks_uri?: unknown } | null;
  const uri = typeof metadata?.jwks_uri === 'string' && URL.canParse(metadata.jwks_uri) ? new URL(metadata.jwks_uri) : null;
  const base = new URL(metadataUrl);
  // The keys come over https, or over http only when the metadata itself is served on that http host (tests).
  if (!uri || !(uri.protocol === 'https:' || (uri.protocol === 'http:' && base.protocol === 'http:' && uri.hostname === base.hostname))) {
    throw new Error('the metadata has no usable jwks_uri');
  }
  const jwks = (await fetchJson(uri.href, signal)) as { keys?: unknown } | null;
  if (!Array.isArray(jwks?.keys)) throw new Error(`${uri.href} is not a JSON Web Key Set`);
  return jwks as JSONWebKeySet;
}

async function fetchJson(url: string, signal: AbortSignal): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    throw new Error(signal.aborted ? `${url} did not answer within the timeout` : `${url}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  try {
    return await response.json();
  } catch (error) {
    throw new Error(signal.aborted ? `${url} did not answer within the timeout` : `${url} did not answer JSON`, { cause: error });
  }
}
