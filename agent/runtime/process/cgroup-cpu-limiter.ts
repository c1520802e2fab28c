/**
 * CPU cap through a per-task cgroup: v2 `cpu.max` under <root>/kelvin/<taskId>/, or v1
 * `cpu.cfs_quota_us` under <root>/cpu/kelvin/<taskId>/. Processes are moved in when a cap is set;
 * anything they fork afterwards is born inside.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuLimiter, TaskGroup } from './cpu-limiter.js';
import { sessionMembers } from './proc.js';

const PERIOD_US = 100_000;
/** The kernel refuses quotas under 1 ms. */
const MIN_QUOTA_US = 1000;
const RMDIR_TRIES = 20;
const RMDIR_RETRY_MS = 50;

type CgroupVersion = 'v1' | 'v2';

function cgroupDir(root: string, version: CgroupVersion, taskId: string): string {
  return version === 'v2' ? join(root, 'kelvin', taskId) : join(root, 'cpu', 'kelvin', taskId);
}

function detectVersion(root: string): CgroupVersion | null {
  const controllers = join(root, 'cgroup.controllers');
  if (existsSync(controllers)) return readFileSync(controllers, 'utf8').split(/\s+/).includes('cpu') ? 'v2' : null;
  return existsSync(join(root, 'cpu', 'cpu.cfs_quota_us')) ? 'v1' : null;
}

/** v2 only hands the cpu controller to children whose parents enabled it in subtree_control. */
function enableV2Controller(root: string): void {
  for (const dir of [root, join(root, 'kelvin')]) {
    const control = join(dir, 'cgroup.subtree_control');
    if (!readFileSync(control, 'utf8').split(/\s+/).includes('cpu')) writeFileSync(control, '+cpu');
  }
}

export async function createCgroupCpuLimiter(
  root: string,
  taskId: string,
  group: TaskGroup,
): Promise<{ limiter: CgroupCpuLimiter; reason?: undefined } | { limiter: null; reason: string }> {
  try {
    const version = detectVersion(root);
    if (!version) return { limiter: null, reason: `no cpu controller under ${root}` };
    const dir = cgroupDir(root, version, taskId);
    if (version === 'v2') {
      mkdirSync(join(root, 'kelvin'), { recursive: true });
      enableV2Controller(root);
    }
    mkdirSync(dir, { recursive: true });
    const limiter = new CgroupCpuLimiter(dir, version, group);
    await limiter.set(null);
    return { limiter };
  } catch (err) {
    return { limiter: null, reason: (err as Error).message };
  }
}

/** Removes a task's cgroup folder, wherever a previous agent run left it. */
export async function removeTaskCgroup(root: string, taskId: string): Promise<void> {
  for (const version of ['v1', 'v2'] as const) await removeCgroupDir(cgroupDir(root, version, taskId));
}

async function removeCgroupDir(dir: string): Promise<void> {
  for (let i = 0; existsSync(dir); i++) {
    try {
      rmdirSync(dir);
    } catch (err) {
      // EBUSY while killed members are still being torn down by the kernel.
      if ((err as NodeJS.ErrnoException).code !== 'EBUSY' || i >= RMDIR_TRIES) throw err;
      await new Promise((r) => setTimeout(r, RMDIR_RETRY_MS));
    }
  }
}

export class CgroupCpuLimiter implements CpuLimiter {
  readonly mechanism = 'cgroup';

  constructor(
    readonly dir: string,
    private readonly version: CgroupVersion,
    private readonly group: TaskGroup,
  ) {}

  async set(cpus: number | null): Promise<void> {
    // Lifting the cap of a cgroup that is already gone has nothing left to do.
    if (cpus === null && !existsSync(this.dir)) return;
    if (cpus !== null) this.enrollMembers();
    const quota = cpus === null ? null : Math.max(MIN_QUOTA_US, Math.round(cpus * PERIOD_US));
    if (this.version === 'v2') {
      writeFileSync(join(this.dir, 'cpu.max'), `${quota ?? 'max'} ${PERIOD_US}`);
    } else {
      writeFileSync(join(this.dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(this.dir, 'cpu.cfs_quota_us'), String(quota ?? -1));
    }
  }

  async release(): Promise<void> {
    await removeCgroupDir(this.dir);
  }

  /** Moves every process of the task's session in (the leader's pid is the session id). */
  private enrollMembers(): void {
    const sid = this.group();
    if (sid === null) return;
    for (const p of sessionMembers(sid)) {
      try {
        writeFileSync(join(this.dir, 'cgroup.procs'), String(p.pid));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
  }
}
