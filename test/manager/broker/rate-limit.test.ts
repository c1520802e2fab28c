import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, LogOncePer, TokenBucket } from '../../../manager/broker/rate-limit.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('broker rate limits', () => {
  it('a bucket allows its burst at once, then refills at its rate and never above its burst', () => {
    const c = clock();
    const bucket = new TokenBucket({ perSecond: 5, burst: 3 }, c.now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    c.advance(200);
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    c.advance(60_000);
    expect(bucket.full()).toBe(true);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per source, and forgets sources past its bound', () => {
    const c = clock();
    const limiter = new KeyedRateLimiter({ perSecond: 1, burst: 1 }, c.now, 2);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('b')]).toEqual([true, false, true]);
    // A third source evicts one (none has refilled): 'a' comes back with a fresh bucket.
    expect(limiter.take('c')).toBe(true);
    expect(limiter.take('a')).toBe(true);
  });

  it('says a line is due once per interval per key', () => {
    const c = clock();
    const log = new LogOncePer(60_000, c.now);
    expect([log.due('x'), log.due('x'), log.due('y')]).toEqual([true, false, true]);
    c.advance(60_000);
    expect(log.due('x')).toBe(true);
  });
});
