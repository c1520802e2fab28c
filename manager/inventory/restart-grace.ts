/**
 * A manager that starts does not know which boards are alive: they may have kept running the whole
 * time it was away, and reconnect only at their next backoff step. As Swarm's new leader does, it
 * gives every node it has not heard from since it started a grace period before declaring it down
 * or moving its tasks: the node timeout plus the longest an agent waits between reconnect attempts.
 */
import { AGENT_RECONNECT_BACKOFF } from '../../shared/backoff.js';

export function restartGraceMs(nodeTimeoutMs: number): number {
  return nodeTimeoutMs + AGENT_RECONNECT_BACKOFF.maxMs;
}
