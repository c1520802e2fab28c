import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../../manager/alerts/backoff.js';

const policy = { baseMs: 1000, maxMs: 60_000, jitter: 0.5 };

describe('retryDelayMs', () => {
  it('doubles per retry without jitter', () => {
    const delays = [1, 2, 3, 4].map((r) => retryDelayMs(r, policy, () => 0));
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never exceeds the cap', () => {
    expect(retryDelayMs(7, policy, () => 0)).toBe(60_000);
    expect(retryDelayMs(30, policy, () => 0)).toBe(60_000);
  });

  it('takes at most the jitter share off at random', () => {
    expect(retryDelayMs(3, policy, () => 0.999)).toBe(2002);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(3000);
    expect(retryDelayMs(3, { ...policy, jitter: 0 }, () => 0.9)).toBe(4000);
  });
});
