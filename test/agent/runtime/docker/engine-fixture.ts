/**
 * Shared by the Docker driver tests: task specs for the test image, executors bound to a per-run
 * node id (so parallel suites on the same engine never see each other's containers), and the
 * cleanup that removes every container a run created, pass or fail.
 */
import { randomUUID } from 'node:crypto';
import { DockerExecutor } from '../../../../agent/runtime/docker/index.js';
import { EngineClient } from '../../../../agent/runtime/docker/engine-client.js';
import type { ContainerInspect, ContainerStats, ContainerSummary } from '../../../../agent/runtime/docker/engine-types.js';
import type { Controller } from '../../../../agent/runtime/types.js';
import type { TaskSpec } from '../../../../shared/payloads/tasks.js';
import { silentLogger } from '../../../../shared/logger.js';
import { DOCKER_SOCKET, TEST_IMAGE } from '../../../helpers/requirements.js';

const RUN_LABEL = 'io.kelvin.test.run';

export class EngineFixture {
  readonly runId = randomUUID().slice(0, 8);
  readonly nodeId = `test-${this.runId}`;
  readonly engine = new EngineClient({ socketPath: DOCKER_SOCKET });
  private count = 0;

  executor(nodeId = this.nodeId): DockerExecutor {
    return new DockerExecutor({ socketPath: DOCKER_SOCKET, logger: silentLogger(), nodeId, stopTimeoutMs: 5_000 });
  }

  spec(command: string[], overrides: Partial<TaskSpec> = {}): TaskSpec {
    this.count++;
    return {
      id: `${this.runId}${String(this.count).padStart(4, '0')}`,
      serviceId: `svc-${this.runId}`,
      serviceName: 'dockertest',
      slot: this.count,
      driver: 'docker',
      image: TEST_IMAGE,
      command,
      entrypoint: null,
      env: {},
      labels: { [RUN_LABEL]: this.runId },
      workdir: null,
      resources: { cpus: null, memoryBytes: null, gpus: null },
      stopGracePeriodMs: 1_000,
      throttle: null,
      ...overrides,
    };
  }

  async inspect(id: string): Promise<ContainerInspect> {
    return (await this.engine.request<ContainerInspect>('GET', `/containers/${id}/json`)).body;
  }

  /**
   * CPU cores the container used over `ms` (from the engine's cumulative usage counter) and the
   * CFS periods in which it hit its quota meanwhile.
   */
  async cpuUse(id: string, ms: number): Promise<{ cores: number; throttledPeriods: number }> {
    const sample = async (): Promise<ContainerStats['cpu_stats']> =>
      (await this.engine.request<ContainerStats>('GET', `/containers/${id}/stats`, { query: { stream: false, 'one-shot': true } })).body
        .cpu_stats;
    const s0 = await sample();
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const s1 = await sample();
    const elapsedNs = Number(process.hrtime.bigint() - t0);
    return {
      cores: (s1.cpu_usage.total_usage - s0.cpu_usage.total_usage) / elapsedNs,
      throttledPeriods: s1.throttling_data.throttled_periods - s0.throttling_data.throttled_periods,
    };
  }

  async removeAll(): Promise<void> {
    const { body } = await this.engine.request<ContainerSummary[]>('GET', '/containers/json', {
      query: { all: true, filters: JSON.stringify({ label: [`${RUN_LABEL}=${this.runId}`] }) },
    });
    await Promise.all(body.map((c) => this.engine.request('DELETE', `/containers/${c.Id}`, { query: { force: true, v: true } })));
  }
}

export async function collectLogs(controller: Controller, tail: number | null): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of controller.logs({ tail, follow: false })) lines.push(line.text);
  return lines;
}

/** Polls the log until `text` shows up: the task has reached that point (e.g. installed its trap). */
export async function untilLogged(controller: Controller, text: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await collectLogs(controller, null)).includes(text)) {
    if (Date.now() > deadline) throw new Error(`task never logged "${text}"`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
