// Teams SSO tokens for the tab's API: Entra ID access tokens checked on this server (signature from
// the tenant-independent OpenID keys, issuer, audience, expiry). The member is the token's `oid`.
import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { SsoConfig } from '../config.js';
import { KeysUnavailableError, openIdKeys, RETRY_PAUSE_MS } from './openid-keys.js';

/** Why a request is not signed in; each has a sentence (answered with 401). */
export type TokenProblem =
  | 'no-token'
  | 'malformed'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-audience'
  | 'wrong-issuer'
  | 'wrong-tenant'
  | 'no-scope'
  | 'no-user'
  | 'sso-not-configured';

const SENTENCES: Record<TokenProblem, string> = {
  'no-token': 'Sign in first: the request has no Bearer token.',
  malformed: 'The sign-in token is not a token this server accepts.',
  'bad-signature': 'The sign-in token is not signed by Microsoft Entra ID.',
  expired: 'The sign-in has expired: reload the tab to sign in again.',
  'not-yet-valid': 'The sign-in token is not valid yet: check the clock of this server.',
  'wrong-audience': 'The sign-in token was issued for another app.',
  'wrong-issuer': 'The sign-in token does not come from Microsoft Entra ID.',
  'wrong-tenant': 'Your organisation is not allowed to use this app.',
  'no-scope': 'The sign-in token does not grant access_as_user to this app.',
  'no-user': 'The sign-in token names no user.',
  'sso-not-configured': 'Teams sign-in is not set up on this server (TAB_APP_ID_URI).',
};

export class TokenError extends Error {
  constructor(readonly problem: TokenProblem) {
    super(SENTENCES[problem]);
  }
}

export interface SignedInUser {
  /** The member id: the user's Entra object id, as Entra writes it (the bot gets the same from Teams). */
  id: string;
  tenantId: string;
  name?: string;
}

/** The delegated scope the app registration exposes for Teams SSO (see the README, "Personal tab"). */
export const SSO_SCOPE = 'access_as_user';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type TokenVerifier = (token: string) => Promise<SignedInUser>;

/** The token from an Authorization header, or a TokenError('no-token'). */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)$/i.exec(header?.trim() ?? '');
  if (!match) throw new TokenError(header ? 'malformed' : 'no-token');
  return match[1]!;
}

/** Entra's issuers for a tenant: v1 tokens (sts.windows.net) and v2 tokens (login.microsoftonline.com). */
function issuersOf(tenantId: string): string[] {
  return [`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`];
}

function problemOf(error: unknown): TokenProblem | null {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'wrong-audience';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'not-yet-valid';
    return 'malformed';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) return 'bad-signature';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return 'malformed';
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'bad-signature';
  return null;
}

/** A verifier for Teams SSO tokens, with the keys of the configured OpenID metadata (see openid-keys.ts). */
export function ssoVerifier(sso: SsoConfig, now: () => number): TokenVerifier {
  const keys = openIdKeys(sso.metadataUrl);

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys.getKey, {
        algorithms: ['RS256'],
        audience: sso.audiences,
        currentDate: new Date(now()),
        clockTolerance: 60,
        requiredClaims: ['exp', 'iss', 'aud'],
      }));
    } catch (error) {
      if (error instanceof TokenError || error instanceof KeysUnavailableError) throw error;
      const problem = problemOf(error);
      if (problem) throw new TokenError(problem);
      throw new KeysUnavailableError(`The sign-in keys could not be used: ${(error as Error).message}`, RETRY_PAUSE_MS / 1000);
    }
    const tenantId = typeof payload.tid === 'string' ? payload.tid.toLowerCase() : '';
    if (!GUID.test(tenantId) || typeof payload.iss !== 'string' || !issuersOf(tenantId).includes(payload.iss.toLowerCase())) {
      // With the common endpoint every tenant's keys sign; the issuer must name the token's own tenant.
      throw new TokenError('wrong-issuer');
    }
    if (sso.allowedTenants.size > 0 && !sso.allowedTenants.has(tenantId)) throw new TokenError('wrong-tenant');
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(SSO_SCOPE)) throw new TokenError('no-scope');
    const oid = typeof payload.oid === 'string' ? payload.oid : '';
    if (!GUID.test(oid)) throw new TokenError('no-user');
    return { id: oid, tenantId, ...(typeof payload.name === 'string' && { name: payload.name }) };
  };
}
