import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Reconciler } from '../../../agent/runtime/reconciler.js';
import { BOARD_TYPES, loadThermalLimits } from '../../../agent/sim/board-types.js';
import { createPrng } from '../../../agent/sim/prng.js';
import { SimBoard } from '../../../agent/sim/sim-board.js';
import { silentLogger } from '../../../shared/logger.js';
import type { TaskSpec, TaskStatus } from '../../../shared/payloads/tasks.js';
import { taskSpec } from '../../helpers/task-spec.js';

function spec(id: string, over: Partial<TaskSpec> = {}): TaskSpec {
  return taskSpec({ id, serviceId: 'svc', driver: 'docker', image: 'nginx:alpine', command: null, stopGracePeriodMs: 1000, ...over });
}

const pi4 = BOARD_TYPES.pi4;

describe('simulated runtime through the real Reconciler', () => {
  let dir: string;
  let now: number;
  let board: SimBoard;
  let reports: TaskStatus[];
  let reconciler: Reconciler;
  let generation: number;

  const apply = async (tasks: TaskSpec[]): Promise<void> => {
    reconciler.apply({ v: 1, nodeId: 'sim-pi4-0001', generation: generation++, tasks });
    await reconciler.idle();
  };
  const last = (taskId: string): TaskStatus | undefined => reports.filter((r) => r.taskId === taskId).at(-1);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kelvin-sim-test-'));
    now = 1_000_000;
    board = new SimBoard({ nodeId: 'sim-pi4-0001', type: pi4, limits: loadThermalLimits().pi4, random: createPrng(7), now: () => now });
    board.powerOn();
    reports = [];
    generation = 1;
    reconciler = new Reconciler({ executors: board.runtime.executors(), stateDir: dir, logger: silentLogger(), report: (s) => reports.push(s), now: () => now });
    await reconciler.start();
  });

  afterEach(async () => {
    await reconciler.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the desired tasks as load: the CPU limit, or half a core without one', async () => {
    await apply([spec('t1', { resources: { cpus: 1.5, memoryBytes: null, gpus: null } }), spec('t2', { driver: 'process', image: null, command: ['worker'] })]);
    expect(last('t1')?.state).toBe('running');
    expect(last('t2')?.state).toBe('running');
    expect(last('t1')?.runtimeId).toMatch(/^sim-docker-/);
    expect(board.runtime.runningCount).toBe(2);
    expect(board.cpuLoad()).toBeCloseTo(pi4.idleLoadCores + 1.5 + 0.5);
  });

  it('rejects what a real driver would refuse', async () => {
    await apply([spec('noimage', { image: null })]);
    expect(last('noimage')).toMatchObject({ state: 'rejected', error: 'docker task has no image' });
    expect(board.runtime.runningCount).toBe(0);
  });

  it('throttling a task caps its load, and lifting the throttle restores it', async () => {
    const t1 = spec('t1', { resources: { cpus: 2, memoryBytes: null, gpus: null } });
    await apply([t1]);
    expect(board.runtime.cpuLoad()).toBe(2);
    await apply([{ ...t1, throttle: { cpus: 0.5 } }]);
    expect(board.runtime.cpuLoad()).toBe(0.5);
    expect(last('t1')).toMatchObject({ state: 'running', throttled: true });
    await apply([t1]);
    expect(board.runtime.cpuLoad()).toBe(2);
    expect(last('t1')).toMatchObject({ state: 'running', throttled: false });
  });

  it('removing a task from the desired set stops it (shutdown) and cools the board it left', async () => {
    const hot = spec('hot', { resources: { cpus: 3, memoryBytes: null, gpus: null } });
    await apply([hot]);
    now += 300_000; // ten time constants under 3.5 cores: at equilibrium
    const { ambientC, resistanceCPerCore, timeConstantS } = pi4.cpuThermal;
    const idleC = ambientC + pi4.idleLoadCores * resistanceCPerCore;
    const loaded = board.cpuTempC();
    expect(loaded).toBeCloseTo(ambientC + 3.5 * resistanceCPerCore, 1);
    const reading = await board.sample();
    expect(reading.cpuTempC).toBeGreaterThan(loaded - 2);
    expect(reading.power.throttledNow).toBe(false);
    await apply([]);
    expect(last('hot')?.state).toBe('shutdown');
    expect(board.runtime.runningCount).toBe(0);
    now += timeConstantS * 1000;
    expect(board.cpuTempC()).toBeCloseTo(idleC + (loaded - idleC) * Math.exp(-1), 1);
  });

  it('a power loss ends every task; the next boot reports them failed, as after a real reboot', async () => {
    await apply([spec('t1'), spec('t2')]);
    const bootBefore = board.bootId;
    await reconciler.close();
    board.powerOff();
    expect(board.runtime.runningCount).toBe(0);
    expect(board.cpuLoad()).toBe(0);
    board.powerOn();
    expect(board.bootId).not.toBe(bootBefore);
    reports = [];
    reconciler = new Reconciler({ executors: board.runtime.executors(), stateDir: dir, logger: silentLogger(), report: (s) => reports.push(s), now: () => now });
    await reconciler.start();
    expect(reports.map((r) => [r.taskId, r.state]).sort()).toEqual([
      ['t1', 'failed'],
      ['t2', 'failed'],
    ]);
  });
});
