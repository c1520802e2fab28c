import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecutor } from '../../../../agent/runtime/docker/index.js';
import { createBody } from '../../../../agent/runtime/docker/container-spec.js';
import type { HealthReport } from '../../../../agent/runtime/health/types.js';
import type { Controller } from '../../../../agent/runtime/types.js';
import type { TaskSpec } from '../../../../shared/payloads/tasks.js';
import { healthCheckOf } from '../../../../shared/healthcheck.js';
import { silentLogger } from '../../../../shared/logger.js';
import { DOCKER_SOCKET, hasDocker, TEST_IMAGE } from '../../../helpers/requirements.js';
import { EngineFixture } from './engine-fixture.js';
import { waitFor } from '../process/helpers.js';

describe('Docker health check in the create body', () => {
  const fx = new EngineFixture();
  const body = (healthcheck: TaskSpec['healthcheck']): unknown => createBody(fx.spec(['true'], { healthcheck }), 'img', null, null).Healthcheck;

  it("passes the service's check in the Engine API's units (ns), ['NONE'] to disable, nothing to inherit", () => {
    expect(body(healthCheckOf(['CMD', 'probe', '--quick'], { intervalMs: 1_500, timeoutMs: 200, retries: 4, startPeriodMs: 10_000 }))).toEqual({
      Test: ['CMD', 'probe', '--quick'],
      Interval: 1_500_000_000,
      Timeout: 200_000_000,
      Retries: 4,
      StartPeriod: 10_000_000_000,
    });
    expect(body('none')).toEqual({ Test: ['NONE'] });
    expect(body(null)).toBeUndefined();
    expect(body(undefined)).toBeUndefined();
  });
});

describe.skipIf(!hasDocker)('Docker health from the engine (State.Health)', () => {
  const fx = new EngineFixture();
  const executor = new DockerExecutor({ socketPath: DOCKER_SOCKET, logger: silentLogger(), nodeId: fx.nodeId, stopTimeoutMs: 5_000, healthPollMs: 100 });
  /** An image with its own HEALTHCHECK, built from the test image (no network needed). */
  const checkedImage = `kelvin-test/healthcheck:${fx.runId}`;
  const monitors: Array<{ stop(): void }> = [];

  beforeAll(() => {
    const dockerfile = `FROM ${TEST_IMAGE}\nHEALTHCHECK --interval=200ms --timeout=2s --retries=2 CMD echo image check; exit 1\n`;
    execFileSync('docker', ['build', '-q', '-t', checkedImage, '-'], { input: dockerfile, stdio: ['pipe', 'ignore', 'ignore'], timeout: 60_000 });
  });
  afterAll(async () => {
    for (const m of monitors) m.stop();
    await fx.removeAll();
    execFileSync('docker', ['rmi', '-f', checkedImage], { stdio: 'ignore' });
  });

  async function run(spec: ReturnType<typeof fx.spec>): Promise<{ controller: Controller; reports: HealthReport[] }> {
    const controller = executor.controller(spec);
    await controller.start();
    const reports: HealthReport[] = [];
    const monitor = controller.health?.(Date.now());
    if (monitor) monitors.push(monitor);
    monitor?.start((r) => reports.push(r));
    return { controller, reports };
  }

  it("reads the service's own check as the engine runs it: starting, then healthy, with its output", async () => {
    const { controller, reports } = await run(fx.spec(['sleep', '60'], { healthcheck: healthCheckOf(['CMD-SHELL', 'echo fine'], { intervalMs: 200 }) }));
    const healthy = await waitFor(() => reports.find((r) => r.state === 'healthy'), 15_000);
    expect(healthy.log.at(-1)).toMatchObject({ exitCode: 0, output: 'fine\n' });
    expect(healthy.log.at(-1)?.start).toBeGreaterThan(Date.now() - 60_000);
    expect((await fx.inspect(controller.runtimeId ?? '')).State.Health?.Status).toBe('healthy');
  });

  it("inherits the image's HEALTHCHECK when the service has none, and 'none' disables it", async () => {
    const inherited = await run(fx.spec(['sleep', '60'], { image: checkedImage }));
    const unhealthy = await waitFor(() => inherited.reports.find((r) => r.state === 'unhealthy'), 15_000);
    expect(unhealthy.log.at(-1)).toMatchObject({ exitCode: 1, output: 'image check\n' });

    const disabled = executor.controller(fx.spec(['sleep', '60'], { image: checkedImage, healthcheck: 'none' }));
    await disabled.start();
    expect(disabled.health?.(Date.now())).toBeNull();
    const state = (await fx.inspect(disabled.runtimeId ?? '')).State;
    expect(state.Health === undefined || state.Health.Status === 'none').toBe(true);
  });

  it('reports nothing for a container without any check', async () => {
    const { reports } = await run(fx.spec(['sleep', '60']));
    await new Promise((r) => setTimeout(r, 500));
    expect(reports).toEqual([]);
  });
});
