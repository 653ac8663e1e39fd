// Request signing for the events API: HMAC-SHA256 over "<timestamp>.<raw body>" with the shared
// secret. Signing the timestamp with the body means an old signature never fits a new timestamp, and
// the timestamp's age bounds how long a captured request can be replayed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseWholeNumber } from '../core/numbers.js';

export const SIGNATURE_HEADER = 'x-signature-256';
export const TIMESTAMP_HEADER = 'x-timestamp';
/** How far a timestamp may be from the server's clock, either way. */
export const MAX_AGE_MS = 5 * 60_000;

export function sign(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export type Verified = { ok: true } | { ok: false; reason: string };

/** What can be checked before the body is read: both headers there, well-formed, and fresh. */
export function checkHeaders(signature: string | undefined, timestamp: string | undefined, now: number): Verified {
  if (!signature) return { ok: false, reason: `the ${SIGNATURE_HEADER} header is missing` };
  if (!timestamp) return { ok: false, reason: `the ${TIMESTAMP_HEADER} header is missing` };
  const seconds = timestamp.length <= 12 ? parseWholeNumber(timestamp) : null;
  if (seconds === null) return { ok: false, reason: `${TIMESTAMP_HEADER} must be a Unix time in seconds` };
  const age = now - seconds * 1000;
  if (Math.abs(age) > MAX_AGE_MS) return { ok: false, reason: `${TIMESTAMP_HEADER} is more than 5 minutes ${age > 0 ? 'old' : 'ahead'}: sign each request when sending it` };
  if (!/^sha256=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: `${SIGNATURE_HEADER} must be sha256= and 64 lower-case hex digits` };
  return { ok: true };
}

export function verify(secret: string, body: Buffer, signature: string | undefined, timestamp: string | undefined, now: number): Verified {
  const headers = checkHeaders(signature, timestamp, now);
  if (!headers.ok || !signature || !timestamp) return headers;
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  // Compared in constant time; a length mismatch is no secret (the expected length is public).
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the signature does not match the body and timestamp' };
  return { ok: true };
}
