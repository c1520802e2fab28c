/**
 * Exponential backoff, one definition for every retry loop in Kelvin: MQTT reconnects, task steps
 * that failed temporarily, restarts of nvidia-smi, webhook deliveries.
 */

export interface BackoffPolicy {
  /** Delay after the first failure. */
  initialMs: number;
  /** Cap: delays double up to this. */
  maxMs: number;
  /**
   * 0..1: up to this share of each delay is taken off at random, so a fleet that lost its broker
   * (or receivers recovering from an outage) is not retried in lockstep. 0 = deterministic.
   */
  jitter: number;
}

/** Delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** attempt);
  return Math.round(ceiling * (1 - policy.jitter * random()));
}

/** Stateful form: `next()` after each failure, `reset()` once things work again. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    return backoffDelay(this.attempt++, this.policy, this.random);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/**
 * Agents' MQTT reconnect delays: 0.5 s doubling to 5 s, with "equal jitter" (never under half a
 * step). The cap is short on purpose: a restarted manager waits for boards only this long (plus
 * the node timeout) before it declares any of them down (manager/inventory/restart-grace.ts).
 */
export const AGENT_RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 5_000, jitter: 0.5 };
