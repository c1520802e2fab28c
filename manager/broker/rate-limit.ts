/**
 * Token buckets for the broker's limits: join attempts per source address, publishes per
 * connection. A bucket holds up to `burst` tokens and refills at `perSecond`; each event takes one.
 */

export interface RateLimit {
  /** Sustained events per second. */
  perSecond: number;
  /** Events allowed at once after a quiet spell. */
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {
    this.tokens = limit.burst;
    this.last = now();
  }

  /** Takes a token; false when the bucket is empty (the event is over the limit). */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True when the bucket has refilled completely: it remembers nothing worth keeping. */
  full(): boolean {
    return this.tokens + ((this.now() - this.last) / 1000) * this.limit.perSecond >= this.limit.burst;
  }
}

/**
 * One bucket per key (a source address), with at most `maxKeys` remembered: when full, refilled
 * buckets are forgotten first, and if none is, the oldest key goes, so a flood of sources cannot
 * grow the map without bound.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evict();
      bucket = new TokenBucket(this.limit, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }

  private evict(): void {
    for (const [key, bucket] of this.buckets) if (bucket.full()) this.buckets.delete(key);
    const oldest = this.buckets.keys().next();
    if (this.buckets.size >= this.maxKeys && !oldest.done) this.buckets.delete(oldest.value);
  }
}

/** Says "log now" at most once per `intervalMs` per key, counting the calls it silenced; bounded like KeyedRateLimiter. */
export class LogOncePer {
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  due(key: string): boolean {
    return this.dueAfter(key) !== null;
  }

  /** Null when `key` was logged within the interval; otherwise how many calls were silenced since its last line. */
  dueAfter(key: string): number | null {
    const now = this.now();
    const seen = this.lastLogged.get(key);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return null;
    }
    if (!seen && this.lastLogged.size >= this.maxKeys) {
      const oldest = this.lastLogged.keys().next();
      if (!oldest.done) this.lastLogged.delete(oldest.value);
    }
    this.lastLogged.delete(key);
    this.lastLogged.set(key, { at: now, suppressed: 0 });
    return seen?.suppressed ?? 0;
  }
}
