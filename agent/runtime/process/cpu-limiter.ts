/**
 * How a process task's CPU gets capped. A cgroup quota is exact and costs nothing at run time, so
 * it wins wherever the agent can create one; elsewhere (no cgroup access, read-only sysfs) the
 * duty cycle pauses and resumes the task's process group with SIGSTOP/SIGCONT.
 */
import type { Logger } from '../../../shared/logger.js';
import { createCgroupCpuLimiter } from './cgroup-cpu-limiter.js';
import { DutyCycleCpuLimiter } from './duty-cycle-cpu-limiter.js';

export interface CpuLimiter {
  readonly mechanism: 'cgroup' | 'duty-cycle';
  /** Cap the task at `cpus` cores; null lifts the cap. Safe to call again with the same value. */
  set(cpus: number | null): Promise<void>;
  /** Lift the cap and free what the limiter holds (the cgroup folder). Idempotent. */
  release(): Promise<void>;
}

/**
 * The task's leader pid, which is also its session and process group id (node-pty makes the first
 * process a session leader); null before start and after the task ended.
 */
export type TaskGroup = () => number | null;

export async function pickCpuLimiter(options: {
  cgroupRoot: string;
  taskId: string;
  group: TaskGroup;
  logger: Logger;
}): Promise<CpuLimiter> {
  const cgroup = await createCgroupCpuLimiter(options.cgroupRoot, options.taskId, options.group);
  if (cgroup.limiter) return cgroup.limiter;
  options.logger.debug({ taskId: options.taskId, reason: cgroup.reason }, 'no CPU cgroup; throttling by SIGSTOP/SIGCONT duty cycle');
  return new DutyCycleCpuLimiter(options.group);
}
