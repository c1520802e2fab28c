/** Shared by the process driver and reconciler tests: shell task specs, temp state dirs, /proc probes. */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskSpec } from '../../../../shared/payloads/tasks.js';
import { processSpec } from '../../../helpers/task-spec.js';
import { groupMembers, readProcStat, USER_HZ } from '../../../../agent/runtime/process/proc.js';

export function sh(script: string, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return processSpec(['sh', '-c', script], overrides);
}

export function tempDir(label: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), `kelvin-${label}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Cores a process used over `ms` of wall time, from utime+stime in /proc/<pid>/stat. */
export async function measureCores(pid: number, ms: number): Promise<number> {
  const before = readProcStat(pid)?.cpuTicks ?? NaN;
  const t0 = performance.now();
  await sleep(ms);
  const after = readProcStat(pid)?.cpuTicks ?? NaN;
  return (after - before) / USER_HZ / ((performance.now() - t0) / 1000);
}

export function groupAlive(pgid: number): number[] {
  return groupMembers(pgid).map((p) => p.pid);
}

export async function waitFor<T>(probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** The v1 cpu controller this machine exposes, if this user may create cgroups in it. */
export function cgroupV1Writable(root = '/sys/fs/cgroup'): boolean {
  try {
    accessSync(join(root, 'cpu', 'cpu.cfs_quota_us'));
    accessSync(join(root, 'cpu'), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
