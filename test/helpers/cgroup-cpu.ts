/**
 * Reads the CPU cap the process driver put on a task, from the kernel's own files (cgroup v1
 * `cpu.cfs_quota_us` or v2 `cpu.max` under kelvin/<taskId>/), as an operator would check it.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** True when this machine lets the agent make per-task CPU cgroups (root, cpu controller mounted). */
export function canCapCpuByCgroup(): boolean {
  const v2 = join(CGROUP_ROOT, 'cgroup.controllers');
  const probe = existsSync(v2) ? CGROUP_ROOT : join(CGROUP_ROOT, 'cpu');
  if (existsSync(v2) && !readFileSync(v2, 'utf8').split(/\s+/).includes('cpu')) return false;
  if (!existsSync(v2) && !existsSync(join(probe, 'cpu.cfs_quota_us'))) return false;
  try {
    accessSync(probe, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The task's CPU cap in cores: a number when capped, null when its cgroup exists without a cap,
 * undefined when it has no cgroup (never capped, or removed).
 */
export function taskCpuCap(taskId: string): number | null | undefined {
  const v1 = join(CGROUP_ROOT, 'cpu', 'kelvin', taskId);
  const v2 = join(CGROUP_ROOT, 'kelvin', taskId);
  try {
    if (existsSync(join(v1, 'cpu.cfs_quota_us'))) {
      const quota = Number(readFileSync(join(v1, 'cpu.cfs_quota_us'), 'utf8'));
      const period = Number(readFileSync(join(v1, 'cpu.cfs_period_us'), 'utf8'));
      return quota < 0 ? null : quota / period;
    }
    if (existsSync(join(v2, 'cpu.max'))) {
      const [quota, period] = readFileSync(join(v2, 'cpu.max'), 'utf8').trim().split(' ');
      return quota === 'max' ? null : Number(quota) / Number(period);
    }
  } catch {
    // removed between the check and the read
  }
  return undefined;
}
