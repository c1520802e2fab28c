/**
 * Fencing across an agent restart with real containers: the node comes back still running a task
 * whose work was moved while it was away; the new desired set no longer lists it, so the adopted
 * container is stopped and removed while its replacement starts.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerExecutor, LABEL_NODE_ID } from '../../../agent/runtime/docker/index.js';
import { ProcessExecutor } from '../../../agent/runtime/process/index.js';
import { silentLogger } from '../../../shared/logger.js';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { DOCKER_SOCKET, hasDocker, TEST_IMAGE } from '../../helpers/requirements.js';
import { taskId } from '../../helpers/task-spec.js';
import { tempDir } from './process/helpers.js';
import { desiredSet, harness } from './process/reconciler-harness.js';

const state = tempDir('reconciler-docker');
/** Only this file's containers: the driver labels and lists by node id. */
const nodeId = taskId('node');

function executors() {
  return [
    new ProcessExecutor({ stateDir: state.path, logger: silentLogger() }),
    new DockerExecutor({ socketPath: DOCKER_SOCKET, logger: silentLogger(), nodeId }),
  ];
}

function containerSpec(overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    id: taskId('d'),
    serviceId: 'svc-d',
    serviceName: 'sleeper',
    slot: 1,
    driver: 'docker',
    image: TEST_IMAGE,
    command: ['sleep', '60'],
    entrypoint: null,
    env: {},
    labels: {},
    workdir: null,
    resources: { cpus: null, memoryBytes: null, gpus: null },
    stopGracePeriodMs: 500,
    throttle: null,
    ...overrides,
  };
}

function containerExists(id: string): boolean {
  try {
    execFileSync('docker', ['container', 'inspect', id], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

afterAll(() => {
  const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=${LABEL_NODE_ID}=${nodeId}`], { encoding: 'utf8' }).trim();
  if (left) execFileSync('docker', ['rm', '-f', ...left.split('\n')], { stdio: 'ignore' });
  state.cleanup();
});

describe.skipIf(!hasDocker)('Reconciler with the docker driver across an agent restart', () => {
  it('adopts the surviving container, then stops it when the newer set moved its work', async () => {
    const before = harness(state.path, executors());
    await before.reconciler.start();
    const stale = containerSpec();
    before.reconciler.apply(desiredSet(3, [stale]));
    await before.reconciler.idle();
    const containerId = before.latest(stale.id)!.runtimeId!;
    expect(before.latest(stale.id)!.state).toBe('running');
    await before.reconciler.close();

    const after = harness(state.path, executors());
    await after.reconciler.start();
    // Adopted as it is: no restart, nothing reported.
    expect(after.reports).toEqual([]);
    expect(after.reconciler.statuses()).toMatchObject([{ taskId: stale.id, state: 'running', runtimeId: containerId }]);

    const replacement = containerSpec();
    after.reconciler.apply(desiredSet(5, [replacement]));
    await after.reconciler.idle();
    expect(after.states(stale.id)).toEqual(['shutdown']);
    expect(after.latest(stale.id)).toMatchObject({ generation: 5, runtimeId: containerId });
    expect(containerExists(containerId)).toBe(false);
    expect(after.latest(replacement.id)).toMatchObject({ state: 'running', generation: 5 });

    after.reconciler.apply(desiredSet(6, []));
    await after.reconciler.idle();
    expect(after.latest(replacement.id)!.state).toBe('shutdown');
    expect(after.reconciler.statuses()).toEqual([]);
    await after.reconciler.close();
  });
});
