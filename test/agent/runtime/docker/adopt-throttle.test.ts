import { afterAll, describe, expect, it } from 'vitest';
import { hasDocker } from '../../../helpers/requirements.js';
import { EngineFixture, untilLogged } from './engine-fixture.js';

describe.skipIf(!hasDocker)('Docker driver: surviving an agent restart', () => {
  const fx = new EngineFixture();
  afterAll(() => fx.removeAll());

  it('a new executor finds running and exited tasks and adopts the running one without restarting it', async () => {
    const before = fx.executor();
    const runningSpec = fx.spec(['sh', '-c', 'echo up; sleep 30']);
    const exitedSpec = fx.spec(['sh', '-c', 'exit 7']);
    const running = before.controller(runningSpec);
    const exited = before.controller(exitedSpec);
    await Promise.all([running.start(), exited.start()]);
    await exited.wait();
    const startedAt = (await fx.inspect(running.runtimeId ?? '')).State.StartedAt;

    // The agent is kill -9'd: nothing of `before` survives but the containers.
    const after = fx.executor();
    const found = await after.listExisting();
    expect(found).toHaveLength(2);
    expect(found.find((t) => t.taskId === runningSpec.id)).toEqual({
      taskId: runningSpec.id,
      runtimeId: running.runtimeId,
      running: true,
      exit: null,
    });
    expect(found.find((t) => t.taskId === exitedSpec.id)).toEqual({
      taskId: exitedSpec.id,
      runtimeId: exited.runtimeId,
      running: false,
      exit: { exitCode: 7, signal: null, error: null },
    });

    const existing = found.find((t) => t.taskId === runningSpec.id);
    if (!existing) throw new Error('unreachable');
    expect(() => after.adopt(exitedSpec, existing)).toThrow(/cannot adopt container .* as task/);
    const adopted = after.adopt(runningSpec, existing);
    await adopted.prepare();
    await adopted.start(); // a reconciler converging the adopted task must not restart it
    expect(adopted.runtimeId).toBe(running.runtimeId);
    const state = (await fx.inspect(existing.runtimeId)).State;
    expect(state.Running).toBe(true);
    expect(state.StartedAt).toBe(startedAt);
    await untilLogged(adopted, 'up');

    const ended = adopted.wait();
    await adopted.stop(0);
    expect(await ended).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
  });

  it('never lists the containers of another node on the same engine', async () => {
    const mine = fx.executor();
    const task = mine.controller(fx.spec(['true']));
    await task.prepare();
    expect((await fx.executor(`${fx.nodeId}-other`).listExisting()).map((t) => t.taskId)).not.toContain(task.taskId);
    expect((await mine.listExisting()).map((t) => t.taskId)).toContain(task.taskId);
  });
});

describe.skipIf(!hasDocker)('Docker driver: CPU throttle in place', () => {
  const fx = new EngineFixture();
  afterAll(() => fx.removeAll());
  const SAMPLE_MS = 1_500;

  it('caps a busy loop at the throttle, visible in the engine and in measured CPU, and lifts it again', async () => {
    const executor = fx.executor();
    // Two busy processes, so the free loop still gets a fair share when the box is busy.
    const task = executor.controller(fx.spec(['sh', '-c', 'yes > /dev/null & yes > /dev/null & wait']));
    await task.start();
    const id = task.runtimeId ?? '';
    const startedAt = (await fx.inspect(id)).State.StartedAt;

    const free = await fx.cpuUse(id, SAMPLE_MS);
    await task.setThrottle(0.2);
    expect((await fx.inspect(id)).HostConfig).toMatchObject({ CpuPeriod: 100_000, CpuQuota: 20_000 });
    const throttled = await fx.cpuUse(id, SAMPLE_MS);
    await task.setThrottle(null);
    expect((await fx.inspect(id)).HostConfig.CpuQuota).toBe(-1);
    const lifted = await fx.cpuUse(id, SAMPLE_MS);
    console.info(
      `busy loop CPU cores: free ${free.cores.toFixed(2)}, throttled to 0.2 -> ${throttled.cores.toFixed(2)}, lifted ${lifted.cores.toFixed(2)}`,
    );

    expect(throttled.cores).toBeLessThanOrEqual(0.3);
    // Other load on a small box (load 10 on 2 cores seen here) can hold the free loop well under
    // its two cores, so the ratios are modest; the kernel's counters below are the sharp check.
    expect(free.cores).toBeGreaterThan(throttled.cores * 1.5);
    expect(lifted.cores).toBeGreaterThan(throttled.cores);
    // The kernel's own account: the quota bit in many periods while throttled, never without one.
    expect(throttled.throttledPeriods).toBeGreaterThan(5);
    expect(free.throttledPeriods).toBe(0);
    expect(lifted.throttledPeriods).toBe(0);
    expect((await fx.inspect(id)).State.StartedAt).toBe(startedAt); // never restarted
    await task.remove();
  });

  it("lifting a throttle restores the spec's own CPU limit, and a throttle never loosens it", async () => {
    const task = fx.executor().controller(fx.spec(['sleep', '30'], { resources: { cpus: 0.5, memoryBytes: null, gpus: null } }));
    await task.start();
    const id = task.runtimeId ?? '';
    await task.setThrottle(0.1);
    expect((await fx.inspect(id)).HostConfig.CpuQuota).toBe(10_000);
    await task.setThrottle(null);
    expect((await fx.inspect(id)).HostConfig.CpuQuota).toBe(50_000);
    await task.setThrottle(2);
    expect((await fx.inspect(id)).HostConfig.CpuQuota).toBe(50_000);
    await task.remove();
  });

  it('creates a task already capped when the heat throttle is on before it starts', async () => {
    const task = fx.executor().controller(fx.spec(['sleep', '30'], { throttle: { cpus: 0.3 } }));
    await task.prepare();
    expect((await fx.inspect(task.runtimeId ?? '')).HostConfig).toMatchObject({ CpuPeriod: 100_000, CpuQuota: 30_000 });
    await task.remove();
  });
});
