/**
 * A rolling update with the Docker driver: an image that cannot start (it is not on the engine
 * and the board cannot pull it) pauses the update after its first batch, the other containers
 * untouched; `service rollback` brings the good image back.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceView, TaskView } from '../../manager/api/views.js';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';
import { hasDocker, TEST_IMAGE } from '../helpers/requirements.js';

let cluster: TestCluster;
let serviceId = '';

describe.skipIf(!hasDocker)('rolling update, docker driver', () => {
  beforeAll(async () => {
    cluster = await TestCluster.start();
    // An x86 board: the engine here runs amd64 images, and the agent refuses an image for another platform.
    cluster.startAgent('box', boardRoot('x86-intel'));
    await cluster.waitForReadyNodes(1);
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop(['dk']);
    // Containers carry the service id label: remove whatever this run left, pass or fail.
    if (serviceId) {
      const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=io.kelvin.service.id=${serviceId}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
      if (ids.length > 0) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    }
  }, 60_000);

  const live = async (): Promise<TaskView[]> => (await cluster.tasks('dk')).filter((t) => t.desiredState === 'running');

  it('pauses an update to an image that fails to start after the first batch, and rolls back', async () => {
    serviceId = (await cluster.kelvin('service', 'create', '--name', 'dk', '--replicas', '3', '--update-monitor', '1s', '--rollback-monitor', '1s', '--stop-grace-period', '1s', TEST_IMAGE, 'sleep', '600')).trim();
    await waitUntil('3 running containers', async () => (await live()).filter((t) => t.state === 'running').length === 3, 40_000);
    const before = await live();
    const r = await runKelvin(['service', 'update', 'dk', '--image', 'kelvin-test/busybox:no-such-tag'], { env: cluster.env, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kelvin: service dk: update paused due to failure or early termination of task \w+ (rejected|failed)/);
    const after = await live();
    expect(after.filter((t) => t.slot !== 1).map((t) => t.id).sort()).toEqual(before.filter((t) => t.slot !== 1).map((t) => t.id).sort());
    expect(after.filter((t) => t.slot !== 1).every((t) => t.state === 'running')).toBe(true);
    const back = await runKelvin(['service', 'rollback', 'dk'], { env: cluster.env, timeoutMs: 60_000 });
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    await waitUntil('3 running again', async () => (await live()).filter((t) => t.state === 'running').length === 3, 40_000);
    const svc = (JSON.parse(await cluster.kelvin('service', 'inspect', 'dk')) as ServiceView[])[0];
    expect(svc?.spec.image).toBe(TEST_IMAGE);
    expect(svc?.updateStatus?.state).toBe('rollback_completed');
  }, 120_000);
});
