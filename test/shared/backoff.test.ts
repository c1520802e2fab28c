import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from '../../shared/backoff.js';

const policy = { initialMs: 1000, maxMs: 60_000, jitter: 0.5 };

describe('backoffDelay', () => {
  it('doubles per retry without jitter', () => {
    const delays = [0, 1, 2, 3].map((a) => backoffDelay(a, policy, () => 0));
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelay(6, policy, () => 0)).toBe(60_000);
    expect(backoffDelay(29, policy, () => 0)).toBe(60_000);
  });

  it('takes at most the jitter share off at random', () => {
    expect(backoffDelay(2, policy, () => 0.999)).toBe(2002);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(3000);
    expect(backoffDelay(2, { ...policy, jitter: 0 }, () => 0.9)).toBe(4000);
  });
});

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const b = new Backoff({ initialMs: 500, maxMs: 4000, jitter: 0.5 }, () => 0);
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('with equal jitter stays within the upper half of each step, never below half', () => {
    const low = new Backoff({ initialMs: 500, maxMs: 4000, jitter: 0.5 }, () => 1);
    expect([low.next(), low.next(), low.next(), low.next()]).toEqual([250, 500, 1000, 2000]);
    const mid = new Backoff({ initialMs: 1000, maxMs: 4000, jitter: 0.5 }, () => 0.5);
    expect(mid.next()).toBe(750);
  });

  it('starts over after reset (a successful connection)', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 10_000, jitter: 0.5 }, () => 0);
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(100);
  });
});
