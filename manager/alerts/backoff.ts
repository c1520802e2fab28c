/**
 * Delay before a retry: exponential from `baseMs`, capped at `maxMs`, with up to `jitter` (0..1)
 * of it shaved off at random so that receivers recovering from an outage are not hit in lockstep.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  jitter: number;
}

/** `retry` counts from 1 (the wait after the first failed attempt). */
export function retryDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return Math.round(ceiling * (1 - policy.jitter * random()));
}
