// Signing and the rate limit of the events API.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/events/rate-limit.js';
import { sign, verify } from '../../src/events/signature.js';

const SECRET = 'test-secret';
const NOW = Date.parse('2026-11-23T12:00:00Z');
const ts = (offsetSeconds = 0) => String(NOW / 1000 + offsetSeconds);
const body = Buffer.from('{"records":[]}');

describe('signatures', () => {
  const table: [string, string | undefined, string | undefined, boolean | string][] = [
    ['a fresh, correct signature', sign(SECRET, ts(), body), ts(), true],
    ['one 4 minutes old', sign(SECRET, ts(-240), body), ts(-240), true],
    ['a missing signature', undefined, ts(), 'x-signature-256 header is missing'],
    ['a missing timestamp', sign(SECRET, ts(), body), undefined, 'x-timestamp header is missing'],
    ['a timestamp that is not a number', sign(SECRET, 'soon', body), 'soon', 'Unix time in seconds'],
    ['a timestamp in exponent form', sign(SECRET, '1.8e9', body), '1.8e9', 'Unix time in seconds'],
    ['a timestamp padded past 12 digits', sign(SECRET, `000${ts()}`, body), `000${ts()}`, 'Unix time in seconds'],
    ['a stale timestamp', sign(SECRET, ts(-301), body), ts(-301), 'more than 5 minutes old'],
    ['a timestamp from the future', sign(SECRET, ts(301), body), ts(301), 'more than 5 minutes ahead'],
    ['another secret', sign('other', ts(), body), ts(), 'does not match'],
    ['the old signature with a new timestamp', sign(SECRET, ts(-200), body), ts(), 'does not match'],
    ['another body', sign(SECRET, ts(), '{"records":[1]}'), ts(), 'does not match'],
    ['a truncated signature', sign(SECRET, ts(), body).slice(0, 20), ts(), 'must be sha256= and 64 lower-case hex digits'],
    ['no sha256= prefix', sign(SECRET, ts(), body).slice(7), ts(), 'must be sha256= and 64 lower-case hex digits'],
    ['upper-case hex', sign(SECRET, ts(), body).toUpperCase().replace('SHA256=', 'sha256='), ts(), 'must be sha256= and 64 lower-case hex digits'],
  ];
  it.each(table)('%s', (_name, signature, timestamp, expected) => {
    const result = verify(SECRET, body, signature, timestamp, NOW);
    if (expected === true) expect(result).toEqual({ ok: true });
    else expect(result.ok ? 'accepted' : result.reason).toContain(expected);
  });
});

describe('the rate limit per source', () => {
  it('allows a burst, then the sustained rate, and says when to come back', () => {
    const limiter = new RateLimiter(2, 3);
    expect([0, 0, 0].map(() => limiter.take('a', NOW))).toEqual([0, 0, 0]);
    expect(limiter.take('a', NOW)).toBe(500);
    expect(limiter.take('b', NOW)).toBe(0);
    expect(limiter.take('a', NOW + 500)).toBe(0);
    expect(limiter.take('a', NOW + 500)).toBe(500);
    expect(limiter.take('a', NOW + 10_000)).toBe(0);
  });

  it('takes no tokens away when the clock steps back', () => {
    const limiter = new RateLimiter(1, 2);
    expect(limiter.take('a', NOW)).toBe(0);
    expect(limiter.take('a', NOW - 60_000)).toBe(0);
    expect(limiter.take('a', NOW - 60_000)).toBe(1000);
  });
});
