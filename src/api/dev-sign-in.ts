// The development sign-in: in local mode only (no Bot Framework credentials, the server on loopback),
// the tab outside Teams can act as any member, to try the page and make screenshots. Its tokens are
// signed with a key made at start and never written anywhere, so they die with the process and no
// other server accepts them.
import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { TokenError, type SignedInUser } from './sso.js';

const ISSUER = 'devops-points:development-sign-in';
const AUDIENCE = 'devops-points:tab';
const LIFETIME_S = 8 * 3600;

export interface DevSignIn {
  issue(memberId: string): Promise<string>;
  verify(token: string): Promise<SignedInUser>;
}

export function devSignIn(now: () => number): DevSignIn {
  const key = new Uint8Array(randomBytes(32));
  return {
    async issue(memberId) {
      const iat = Math.floor(now() / 1000);
      return new SignJWT({ oid: memberId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + LIFETIME_S)
        .sign(key);
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(now()) });
        if (typeof payload.oid !== 'string' || payload.oid === '') throw new TokenError('no-user');
        return { id: payload.oid, tenantId: 'development' };
      } catch (error) {
        if (error instanceof TokenError) throw error;
        throw new TokenError(error instanceof errors.JWTExpired ? 'expired' : error instanceof errors.JWSSignatureVerificationFailed ? 'bad-signature' : 'malformed');
      }
    },
  };
}
