// Bot Framework tokens on POST /api/messages, checked on this server before the body is read and before
// CloudAdapter sees the request (CloudAdapter checks them again, with its own key cache). The rules are
// botbuilder's for a bot that is no skill (channelValidation, jwtTokenExtractor): RS256, the issuer,
// the audience = MicrosoftAppId, the expiry with five minutes of tolerance, the serviceurl claim = the
// activity's serviceUrl, and a key's endorsements when it lists any. A token that fails is refused with
// a code (401); one that needs keys this server cannot read gets 503. What the claims alone refuse
// never causes a key read.
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import type { BotAuthConfig } from '../config.js';
import { KeysUnavailableError, openIdKeys, type OpenIdKeys } from './openid-keys.js';

/** The issuer of the tokens the Bot Framework channels (Teams among them) send to bots. */
export const CHANNEL_ISSUER = 'https://api.botframework.com';
/** As botbuilder: five minutes of clock difference with the issuer. */
const CLOCK_TOLERANCE_S = 300;

export type BotTokenProblem =
  | 'no-token'
  | 'malformed'
  | 'wrong-algorithm'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature'
  | 'wrong-service-url'
  | 'wrong-channel'
  | 'refused';

const SENTENCES: Record<BotTokenProblem, string> = {
  'no-token': 'The request has no Bearer token.',
  malformed: 'The token is not a JSON Web Token this bot can read.',
  'wrong-algorithm': 'The token is not signed with RS256.',
  'wrong-issuer': "The token comes neither from Bot Framework nor from this bot's Entra ID tenant.",
  'wrong-audience': 'The token was issued for another app than this bot.',
  expired: 'The token has expired.',
  'not-yet-valid': 'The token is not valid yet.',
  'bad-signature': 'The token is not signed by a key of its issuer.',
  'wrong-service-url': "The token was issued for another service URL than the activity's.",
  'wrong-channel': "The token's signing key is not endorsed for the activity's channel.",
  refused: 'Bot Framework authentication refused the token.',
};

export class BotTokenError extends Error {
  constructor(readonly problem: BotTokenProblem) {
    super(SENTENCES[problem]);
  }
}

/** What a verified token allows: the activity it carries must match it. */
export interface BotCaller {
  /** Why this activity may not come with this token, or null when it may. */
  refuses(activity: { serviceUrl: string; channelId: string }): BotTokenProblem | null;
}

export interface BotTokenSettings extends BotAuthConfig {
  appId: string;
  /** MicrosoftAppTenantId: Entra ID tokens of this tenant are accepted too. */
  tenantId?: string;
}

export type BotTokenVerifier = (authorization: string | undefined) => Promise<BotCaller>;

function problemOf(error: unknown): BotTokenProblem | null {
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return 'bad-signature';
  }
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'wrong-audience';
    if (error.claim === 'iss') return 'wrong-issuer';
    if (error.claim === 'nbf') return 'not-yet-valid';
    return 'malformed';
  }
  if (error instanceof errors.JOSEError) return 'malformed';
  return null;
}

export function botTokenVerifier(settings: BotTokenSettings, now: () => number): BotTokenVerifier {
  // One key set per source for the life of the server: concurrent requests share its reads.
  const sources = new Map<string, OpenIdKeys>([[CHANNEL_ISSUER, openIdKeys(settings.channelMetadataUrl)]]);
  if (settings.tenantId) {
    const entra = openIdKeys(settings.entraMetadataUrl);
    for (const issuer of [`https://sts.windows.net/${settings.tenantId}/`, `https://login.microsoftonline.com/${settings.tenantId}/v2.0`]) sources.set(issuer, entra);
  }

  return async (authorization) => {
    if (!authorization?.trim()) throw new BotTokenError('no-token');
    // botbuilder's form exactly: "Bearer", one space, the token.
    const token = /^Bearer ([A-Za-z0-9._-]+)$/.exec(authorization)?.[1];
    if (!token) throw new BotTokenError('malformed');
    let header: ProtectedHeaderParameters;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      throw new BotTokenError('malformed');
    }
    // Unsigned (none) and shared-secret (HS256) tokens, foreign issuers and audiences, and stale tokens
    // are refused on their claims: forged tokens cost no key read.
    if (header.alg !== 'RS256') throw new BotTokenError('wrong-algorithm');
    const keys = typeof claims.iss === 'string' ? sources.get(claims.iss) : undefined;
    if (!keys) throw new BotTokenError('wrong-issuer');
    if (claims.aud !== settings.appId) throw new BotTokenError('wrong-audience');
    const at = now() / 1000;
    if (typeof claims.exp !== 'number') throw new BotTokenError('malformed');
    if (claims.exp + CLOCK_TOLERANCE_S < at) throw new BotTokenError('expired');
    if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_TOLERANCE_S > at) throw new BotTokenError('not-yet-valid');

    try {
      await jwtVerify(token, keys.getKey, {
        algorithms: ['RS256'],
        issuer: claims.iss,
        audience: settings.appId,
        currentDate: new Date(now()),
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp'],
      });
    } catch (error) {
      if (error instanceof KeysUnavailableError) throw error;
      const problem = problemOf(error);
      if (problem) throw new BotTokenError(problem);
      throw error;
    }
    // Bot Framework's keys list the channels they sign for; a key that lists none signs for any.
    const endorsements = (keys.published(header.kid) as { endorsements?: unknown } | undefined)?.endorsements;
    return {
      refuses(activity) {
        if (claims.iss === CHANNEL_ISSUER && claims.serviceurl !== activity.serviceUrl) return 'wrong-service-url';
        if (Array.isArray(endorsements) && endorsements.length > 0 && !endorsements.includes(activity.channelId)) return 'wrong-channel';
        return null;
      },
    };
  };
}
