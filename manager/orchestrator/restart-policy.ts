/**
 * Swarm's restart policy for a task that ended while it should be running: whether to replace
 * it, and when (after the delay, within max attempts per window).
 */
import type { RestartPolicy } from '../../shared/service-spec.js';
import type { TaskRecord } from '../store/records.js';

/** How many restart times a slot carries; enough for any sensible max-attempts. */
const HISTORY_CAP = 100;

export type RestartDecision = { restart: true; at: number; history: number[] } | { restart: false; reason: string };

export function decideRestart(task: TaskRecord, policy: RestartPolicy, now: number): RestartDecision {
  const failed = task.state === 'failed' || task.state === 'rejected' || (task.exitCode !== null && task.exitCode !== 0);
  if (policy.condition === 'none') return { restart: false, reason: 'restart policy is none' };
  if (policy.condition === 'on-failure' && !failed) return { restart: false, reason: 'task completed; restart policy is on-failure' };
  const recent = task.restartHistory.filter((t) => policy.windowMs === 0 || t > now - policy.windowMs);
  if (policy.maxAttempts > 0 && recent.length >= policy.maxAttempts) {
    return { restart: false, reason: `restart limit reached (${recent.length} attempts)` };
  }
  const at = (task.finishedAt ?? task.updatedAt) + policy.delayMs;
  return { restart: true, at, history: [...recent, at].slice(-HISTORY_CAP) };
}
