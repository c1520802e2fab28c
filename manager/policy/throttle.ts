/**
 * How hard a hot node's tasks are throttled. Rule: each task is capped at a share of the CPU it could
 * otherwise use (its own limit, or the whole node when it has none, never more than the node has):
 * half when `hot`, a quarter when `critical`. Halving what every task may draw cuts the board's power
 * roughly in half under load, while tasks keep running. Values are counted to a thousandth of a core,
 * as the scheduler does, and never go below 0.01 (Docker's smallest `--cpus`).
 */
import type { ThermalState } from './thermal.js';

const SHARE: Record<ThermalState, number | null> = { normal: null, warm: null, hot: 0.5, critical: 0.25 };
const MIN_CPUS = 0.01;

/** TaskSpec `throttle` for a task on a node in `state`; null = run unthrottled. */
export function throttleCpus(state: ThermalState, taskCpuLimit: number | null, nodeCores: number): { cpus: number } | null {
  const share = SHARE[state];
  if (share === null) return null;
  const cores = Number.isFinite(nodeCores) && nodeCores > 0 ? nodeCores : 1;
  const usable = taskCpuLimit !== null && taskCpuLimit > 0 ? Math.min(taskCpuLimit, cores) : cores;
  return { cpus: Math.max(MIN_CPUS, Math.round(usable * share * 1000) / 1000) };
}
