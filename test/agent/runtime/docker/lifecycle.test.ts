import { afterAll, describe, expect, it } from 'vitest';
import { DockerExecutor } from '../../../../agent/runtime/docker/index.js';
import { RuntimeError } from '../../../../agent/runtime/types.js';
import { silentLogger } from '../../../../shared/logger.js';
import { hasDocker } from '../../../helpers/requirements.js';
import { collectLogs, EngineFixture, untilLogged } from './engine-fixture.js';

describe.skipIf(!hasDocker)('Docker driver: task lifecycle on the real engine', () => {
  const fx = new EngineFixture();
  const executor = fx.executor();
  afterAll(() => fx.removeAll());

  it('is available when the engine answers, and not for a socket that is not there', async () => {
    expect(await executor.available()).toBe(true);
    const elsewhere = new DockerExecutor({ socketPath: '/nonexistent/docker.sock', logger: silentLogger() });
    expect(await elsewhere.available()).toBe(false);
  });

  it('runs a task with its env, limits and labels, and reports its exit code and output', async () => {
    const spec = fx.spec(['sh', '-c', 'echo "foo=$FOO"; echo oops >&2; exit 3'], {
      env: { FOO: 'bar baz' },
      resources: { cpus: 0.5, memoryBytes: 64 * 1024 * 1024, gpus: null },
    });
    const task = executor.controller(spec);
    await task.prepare();
    const exited = task.wait(); // asked before start: must wait for this run, not report "created"
    const before = Date.now();
    await task.start();
    expect(await exited).toEqual({ exitCode: 3, signal: null, error: null });

    const container = await fx.inspect(task.runtimeId ?? '');
    expect(container.Name).toBe(`/kelvin-dockertest-${spec.slot}-${spec.id.slice(0, 12)}`);
    expect(container.Config.Labels).toMatchObject({
      'io.kelvin.managed': 'true',
      'io.kelvin.task.id': spec.id,
      'io.kelvin.service.id': spec.serviceId,
      'io.kelvin.service.name': 'dockertest',
      'io.kelvin.node.id': fx.nodeId,
    });
    expect(container.HostConfig).toMatchObject({ CpuPeriod: 100_000, CpuQuota: 50_000, Memory: 64 * 1024 * 1024 });

    const lines = [];
    for await (const line of task.logs({ tail: null, follow: false })) lines.push(line);
    // stdout and stderr are copied separately by the engine: their relative order is not kept
    expect(lines.map((l) => `${l.stream}:${l.text}`).sort()).toEqual(['stderr:oops', 'stdout:foo=bar baz']);
    for (const line of lines) {
      expect(line.taskId).toBe(spec.id);
      // the engine's timestamp, not ours: within the run, allowing for clock granularity
      expect(line.ts).toBeGreaterThanOrEqual(before - 1_000);
      expect(line.ts).toBeLessThanOrEqual(Date.now());
    }
    await task.remove();
    await task.remove(); // idempotent
    await expect(fx.inspect(task.runtimeId ?? '')).rejects.toMatchObject({ status: 404 });
  });

  it('tails the last N lines and follows a running task until it ends', async () => {
    const task = executor.controller(fx.spec(['sh', '-c', 'for i in 1 2 3 4; do echo line$i; sleep 0.2; done']));
    await task.start();
    const followed: string[] = [];
    for await (const line of task.logs({ tail: null, follow: true })) followed.push(line.text);
    // follow ended by itself when the container exited, with every line
    expect(followed).toEqual(['line1', 'line2', 'line3', 'line4']);
    expect(await collectLogs(task, 2)).toEqual(['line3', 'line4']);
    await task.remove();
  });

  it('stops following when the caller aborts, while the task keeps running', async () => {
    const task = executor.controller(fx.spec(['sh', '-c', 'echo started; sleep 30']));
    await task.start();
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const line of task.logs({ tail: null, follow: true, signal: abort.signal })) {
      seen.push(line.text);
      abort.abort();
    }
    expect(seen).toEqual(['started']);
    expect((await fx.inspect(task.runtimeId ?? '')).State.Running).toBe(true);
    const exited = task.wait();
    await task.remove(); // force-removes the running container: a waiter learns it was killed
    expect(await exited).toEqual({ exitCode: 137, signal: 'SIGKILL', error: null });
    expect(await task.wait()).toEqual({ exitCode: 137, signal: 'SIGKILL', error: null });
  });

  it('stops a task that handles SIGTERM at once, and kills one that ignores it after the grace', async () => {
    const polite = executor.controller(fx.spec(['sh', '-c', 'trap "echo bye; exit 0" TERM; echo ready; while :; do sleep 0.1; done']));
    const stubborn = executor.controller(fx.spec(['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done']));
    await Promise.all([polite.start(), stubborn.start()]);
    await Promise.all([untilLogged(polite, 'ready'), untilLogged(stubborn, 'ready')]);

    const timed = async (stop: Promise<void>): Promise<number> => {
      const t0 = Date.now();
      await stop;
      return Date.now() - t0;
    };
    const [politeMs, stubbornMs] = await Promise.all([timed(polite.stop(5_000)), timed(stubborn.stop(1_500))]);

    expect(politeMs).toBeLessThan(2_000);
    expect(await polite.wait()).toEqual({ exitCode: 0, signal: null, error: null });
    expect(await collectLogs(polite, 1)).toEqual(['bye']);

    expect(stubbornMs).toBeGreaterThanOrEqual(1_500);
    expect(stubbornMs).toBeLessThan(4_500);
    expect(await stubborn.wait()).toEqual({ exitCode: 137, signal: 'SIGKILL', error: null });

    await polite.stop(1_000); // already stopped: a no-op
    await Promise.all([polite.remove(), stubborn.remove()]);
  });

  it('fails a task whose image is missing and cannot be pulled, quickly and permanently', async () => {
    const task = executor.controller(fx.spec(['true'], { image: 'kelvin-test/no-such-image:0.0.1' }));
    const t0 = Date.now();
    const err = await task.prepare().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err).toMatchObject({ kind: 'permanent', message: expect.stringContaining('image not found: kelvin-test/no-such-image:0.0.1') });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(task.runtimeId).toBeNull();
  });

  it('fails a task whose program does not exist in the image permanently, naming it', async () => {
    const task = executor.controller(fx.spec(['no-such-program']));
    await expect(task.start()).rejects.toMatchObject({ kind: 'permanent', message: expect.stringContaining('no-such-program') });
    await task.remove();
  });

  it('fails a GPU task permanently on an engine without the NVIDIA runtime', async (ctx) => {
    const info = (await fx.engine.request<{ Runtimes?: Record<string, unknown> }>('GET', '/info')).body;
    if (info.Runtimes && 'nvidia' in info.Runtimes) ctx.skip(); // this engine could run it
    const task = executor.controller(fx.spec(['true'], { resources: { cpus: null, memoryBytes: null, gpus: 1 } }));
    await expect(task.start()).rejects.toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('reserves 1 GPU(s) but this node\'s docker engine has no NVIDIA runtime'),
    });
    await task.remove();
  });

  it('replaces a leftover container of the same task instead of failing on the name', async () => {
    const spec = fx.spec(['true']);
    const first = executor.controller(spec);
    await first.prepare();
    const again = executor.controller(spec); // as after an agent crash between create and start
    await again.prepare();
    expect(again.runtimeId).not.toBe(first.runtimeId);
    await expect(fx.inspect(first.runtimeId ?? '')).rejects.toMatchObject({ status: 404 });
    await again.remove();
  });
});
