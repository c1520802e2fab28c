import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { APPLIED_FILE } from '../../../agent/runtime/task-records.js';
import { healthCheckOf } from '../../../shared/healthcheck.js';
import { groupAlive, sh, tempDir, waitFor } from './process/helpers.js';
import { desiredSet, harness, type Harness } from './process/reconciler-harness.js';

const state = tempDir('reconciler-health');
afterAll(() => state.cleanup());

let current: Harness | null = null;
afterEach(async () => {
  if (!current) return;
  current.reconciler.apply(desiredSet(1_000_000, []));
  await current.reconciler.idle();
  await current.reconciler.close();
  current = null;
  rmSync(join(state.path, APPLIED_FILE), { force: true });
});

async function started(): Promise<Harness> {
  current = harness(state.path);
  await current.reconciler.start();
  return current;
}

describe('Reconciler: health checks of process tasks', () => {
  it('reports starting, then healthy, while the task keeps running', async () => {
    const h = await started();
    const task = sh('sleep 60', { healthcheck: healthCheckOf(['CMD-SHELL', 'test -n "$READY"'], { intervalMs: 100 }), env: { READY: 'yes' } });
    h.reconciler.apply(desiredSet(1, [task]));
    const healthy = await waitFor(() => h.reports.find((r) => r.taskId === task.id && r.health === 'healthy'), 10_000);
    expect(healthy).toMatchObject({ state: 'running', error: null });
    expect(healthy.healthLog?.at(-1)).toMatchObject({ exitCode: 0 });
    const healthStates = h.reports.filter((r) => r.taskId === task.id && r.health).map((r) => r.health);
    expect(healthStates.slice(0, 2)).toEqual(['starting', 'healthy']);
  });

  it('stops an unhealthy task, which ends failed with the last output line as the reason', async () => {
    const h = await started();
    const task = sh('echo started; sleep 60', {
      healthcheck: healthCheckOf(['CMD-SHELL', 'echo checking; echo "db unreachable"; exit 1'], { intervalMs: 100, retries: 2 }),
      stopGracePeriodMs: 1_000,
    });
    h.reconciler.apply(desiredSet(1, [task]));
    const failed = await h.reach(task.id, 'failed', 15_000);
    expect(failed).toMatchObject({ error: 'unhealthy: db unreachable', message: 'failed: unhealthy: db unreachable', health: 'unhealthy' });
    expect(failed.healthLog?.map((r) => r.exitCode)).toEqual([1, 1]);
    expect(h.states(task.id)).toEqual(['assigned', 'preparing', 'starting', 'running', 'running', 'running', 'failed']);
    expect(groupAlive(Number(failed.runtimeId))).toEqual([]);
  });

  it('a task without a check reports no health', async () => {
    const h = await started();
    const task = sh('sleep 60');
    h.reconciler.apply(desiredSet(1, [task]));
    await h.reach(task.id, 'running');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.reports.filter((r) => r.taskId === task.id).every((r) => r.health === undefined)).toBe(true);
  });
});
