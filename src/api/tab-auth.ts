// Who is calling the tab's API: Teams SSO, or the development sign-in in local mode. Every route asks
// here on every request; a refusal is answered here (401 not signed in, 403 not an administrator, 503
// keys unavailable), so each route only goes on with a user.
import { decodeProtectedHeader } from 'jose';
import type { Logger } from 'pino';
import type { Request, Response } from 'restify';
import type { Config } from '../config.js';
import { devSignIn, type DevSignIn } from './dev-sign-in.js';
import { KeysUnavailableError } from './openid-keys.js';
import { bearerToken, ssoVerifier, TokenError, type SignedInUser } from './sso.js';

export interface TabAuth {
  /** The development sign-in, in local mode only. */
  dev: DevSignIn | null;
  sso: boolean;
  /** The signed-in user; null once the refusal is answered. */
  user(req: Request, res: Response): Promise<SignedInUser | null>;
  /** The signed-in user when ADMINS names them; null once the refusal is answered (which says nothing of admin data). */
  admin(req: Request, res: Response): Promise<SignedInUser | null>;
  isAdmin(user: SignedInUser): boolean;
}

export function tabAuth(options: { config: Config; log: Logger; now: () => number; devSignIn: boolean }): TabAuth {
  const { config, log, now } = options;
  const sso = config.sso ? ssoVerifier(config.sso, now) : null;
  const dev = options.devSignIn ? devSignIn(now) : null;

  async function signedIn(req: Request): Promise<SignedInUser> {
    const token = bearerToken(req.header('authorization'));
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new TokenError('malformed');
    }
    // Only a development token is HS256; without the development sign-in it is refused below (RS256 only).
    if (alg === 'HS256' && dev) return dev.verify(token);
    if (!sso) throw new TokenError(dev ? 'malformed' : 'sso-not-configured');
    return sso(token);
  }

  async function user(req: Request, res: Response): Promise<SignedInUser | null> {
    res.header('cache-control', 'no-store');
    try {
      return await signedIn(req);
    } catch (error) {
      if (error instanceof TokenError) {
        log.debug({ problem: error.problem }, 'tab request not signed in');
        res.header('www-authenticate', error.problem === 'no-token' ? 'Bearer' : `Bearer error="invalid_token", error_description="${error.problem}"`);
        res.send(401, { code: error.problem, error: error.message });
        return null;
      }
      if (error instanceof KeysUnavailableError) {
        log.warn({ reason: error.message }, 'tab sign-in keys unavailable');
        res.header('Retry-After', String(error.retryAfterSeconds));
        res.send(503, { code: 'keys-unavailable', error: 'The server cannot check sign-ins right now. Try again in a minute.' });
        return null;
      }
      throw error;
    }
  }

  const isAdmin = (who: SignedInUser) => config.admins.has(who.id.toLowerCase());

  return {
    dev,
    sso: sso !== null,
    user,
    isAdmin,
    async admin(req, res) {
      const who = await user(req, res);
      if (!who) return null;
      if (isAdmin(who)) return who;
      log.info({ user: who.id, path: req.getPath() }, 'admin request from a non-administrator');
      res.send(403, { code: 'not-admin', error: 'Only the program’s administrators can use this.' });
      return null;
    },
  };
}
