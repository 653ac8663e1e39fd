// A token bucket per source: a burst is allowed, the sustained rate is capped, and a refused caller
// is told when to come back.
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    /** Requests per second, sustained. */
    private readonly rate: number,
    /** Requests allowed at once after a quiet spell. */
    private readonly burst: number,
  ) {}

  /** Takes one token; returns 0 when allowed, else the milliseconds until a token is there. */
  take(source: string, now: number): number {
    const bucket = this.buckets.get(source) ?? { tokens: this.burst, at: now };
    // A clock stepping back must not take tokens away.
    bucket.tokens = Math.min(this.burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.rate);
    bucket.at = Math.max(bucket.at, now);
    this.buckets.set(source, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    // Full buckets need no memory; the map only grows with sources seen recently.
    if (this.buckets.size > 10_000) this.prune(now);
    return Math.ceil(((1 - bucket.tokens) / this.rate) * 1000);
  }

  private prune(now: number): void {
    for (const [source, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.rate >= this.burst) this.buckets.delete(source);
    }
  }
}
