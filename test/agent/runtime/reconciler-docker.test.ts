/**
 * Fencing across an agent restart with real containers: the node comes back still running a task
 * whose work was moved while it was away; the new desired set no longer lists it, so the adopted
 * container is stopped and removed while its replacement starts. The secrets a crashed agent left
 * are swept at start but for those of the containers it adopts (written again if they are gone); an image built for another
 * platform is rejected with its platforms in the task's status. An image's own EXPOSE ports are
 * bound and reported like `expose` ports, before and after an agent restart.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerExecutor, LABEL_NODE_ID } from '../../../agent/runtime/docker/index.js';
import { ProcessExecutor } from '../../../agent/runtime/process/index.js';
import { Reconciler } from '../../../agent/runtime/reconciler.js';
import { TaskMaterials } from '../../../agent/secrets/task-materials.js';
import { boardPlatform } from '../../../shared/image-platform.js';
import { silentLogger } from '../../../shared/logger.js';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { DOCKER_SOCKET, hasDocker, TEST_IMAGE } from '../../helpers/requirements.js';
import { taskId } from '../../helpers/task-spec.js';
import { tempDir } from './process/helpers.js';
import { desiredSet, harness } from './process/reconciler-harness.js';

const state = tempDir('reconciler-docker');
/** Only this file's containers: the driver labels and lists by node id. */
const nodeId = taskId('node');

function executors(materialsRoot: string | null = null) {
  return [
    new ProcessExecutor({ stateDir: state.path, logger: silentLogger(), materialsRoot }),
    new DockerExecutor({ socketPath: DOCKER_SOCKET, logger: silentLogger(), nodeId, materialsRoot }),
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

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', timeout: 20_000 }).trim();
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

describe.skipIf(!hasDocker)('Reconciler with the docker driver: what an agent start leaves and what it reports', () => {
  it('sweeps the secrets a crashed agent left, keeping those of the container it adopts', async () => {
    const root = join(state.path, 'materials');
    const materials = new TaskMaterials(root, async () => Buffer.from('s3cret'));
    const withMaterials = (): Reconciler =>
      new Reconciler({ executors: executors(root), stateDir: state.path, logger: silentLogger(), report: () => undefined, materials });
    const before = withMaterials();
    await before.start();
    const kept = containerSpec({ secrets: [{ source: 'db', target: 'db_pass', uid: null, gid: null, mode: null }] });
    before.apply(desiredSet(10, [kept]));
    await before.idle();
    await before.close(); // the agent dies; its container runs on
    mkdirSync(join(root, 'crashed-task', 'secrets'), { recursive: true });
    writeFileSync(join(root, 'crashed-task', 'secrets', 'token'), 'left behind');

    const after = withMaterials();
    await after.start();
    expect(existsSync(join(root, 'crashed-task'))).toBe(false);
    expect(after.statuses()).toMatchObject([{ taskId: kept.id, state: 'running' }]);
    expect(readFileSync(join(root, kept.id, 'secrets', 'db_pass'), 'utf8')).toBe('s3cret');
    const [id] = docker('ps', '-q', '--filter', `label=${LABEL_NODE_ID}=${nodeId}`).split('\n');
    expect(docker('exec', id ?? '', 'cat', '/run/secrets/db_pass')).toBe('s3cret');
    after.apply(desiredSet(11, []));
    await after.idle();
    expect(existsSync(join(root, kept.id))).toBe(false);
    await after.close();
  });

  it('writes again the secrets of an adopted container that lost them', async () => {
    const root = join(state.path, 'materials');
    let fetched = 0;
    const materials = new TaskMaterials(root, async () => {
      fetched++;
      return Buffer.from('s3cret');
    });
    const withMaterials = (): Reconciler =>
      new Reconciler({ executors: executors(root), stateDir: state.path, logger: silentLogger(), report: () => undefined, materials });
    const before = withMaterials();
    await before.start();
    const task = containerSpec({ secrets: [{ source: 'db', target: 'db_pass', uid: null, gid: null, mode: null }] });
    before.apply(desiredSet(12, [task]));
    await before.idle();
    await before.close();
    rmSync(join(root, task.id), { recursive: true }); // /run cleared while the agent was away

    const after = withMaterials();
    await after.start();
    await after.idle();
    expect(fetched).toBe(2);
    expect(readFileSync(join(root, task.id, 'secrets', 'db_pass'), 'utf8')).toBe('s3cret');
    after.apply(desiredSet(13, []));
    await after.idle();
    await after.close();
  });

  it('rejects an image built for another platform, with its platform in the status', async () => {
    const arch = docker('image', 'inspect', '--format', '{{.Architecture}}', TEST_IMAGE);
    const other = arch === 'arm64' ? 'x86_64' : 'aarch64';
    const reconciler = harness(state.path, [new DockerExecutor({ socketPath: DOCKER_SOCKET, logger: silentLogger(), nodeId, platform: boardPlatform('linux', other) })]);
    await reconciler.reconciler.start();
    const task = containerSpec();
    reconciler.reconciler.apply(desiredSet(20, [task]));
    await reconciler.reconciler.idle();
    expect(reconciler.latest(task.id)).toMatchObject({ state: 'rejected', imagePlatforms: [{ os: 'linux', arch }] });
    await reconciler.reconciler.close();
  });
});

describe.skipIf(!hasDocker)("Reconciler with the docker driver: an image's EXPOSE ports", () => {
  /** Built from the test image (no network needed): EXPOSE 7071 and an HTTP server there. */
  const image = `kelvin-test/exposed-reconciler:${process.pid}`;
  afterAll(() => void execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' }));

  it('reports them bound on a host port where the container answers, and still after an agent restart', async () => {
    const dockerfile = `FROM ${TEST_IMAGE}\nEXPOSE 7071\nCMD ["sh", "-c", "mkdir -p /www && echo exposed > /www/index.html && exec httpd -f -p 7071 -h /www"]\n`;
    execFileSync('docker', ['build', '-q', '-t', image, '-'], { input: dockerfile, stdio: ['pipe', 'ignore', 'pipe'], timeout: 60_000 });
    const before = harness(state.path, executors());
    await before.reconciler.start();
    const task = containerSpec({ image, command: null });
    before.reconciler.apply(desiredSet(30, [task]));
    await before.reconciler.idle();
    const ports = before.latest(task.id)?.ports;
    expect(before.latest(task.id)?.state).toBe('running');
    expect(ports).toEqual([{ target: 7071, protocol: 'tcp', hostPort: expect.any(Number) as number }]);
    await expect
      .poll(() => fetch(`http://127.0.0.1:${ports?.[0]?.hostPort}/`).then((r) => r.text()).catch(() => ''), { timeout: 15_000, interval: 200 })
      .toBe('exposed\n');
    await before.reconciler.close();

    const after = harness(state.path, executors());
    await after.reconciler.start();
    expect(after.reconciler.statuses()).toMatchObject([{ taskId: task.id, state: 'running', ports }]);
    after.reconciler.apply(desiredSet(31, []));
    await after.reconciler.idle();
    await after.reconciler.close();
  });
});
