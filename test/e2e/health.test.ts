/**
 * Health checks end to end: the built manager and a real agent; process tasks whose check the
 * agent runs on the board, and a Docker task whose check the engine runs (the test image).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../../manager/api/views.js';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { TestCluster } from '../helpers/cluster.js';
import { hasDocker, TEST_IMAGE } from '../helpers/requirements.js';

let cluster: TestCluster;
const SERVICES = ['sick', 'fine', 'web'];

beforeAll(async () => {
  cluster = await TestCluster.start();
  cluster.startAgent('box', boardRoot('x86-intel'));
  await cluster.waitForReadyNodes(1);
}, 60_000);

afterAll(async () => {
  const serviceIds = await Promise.all(SERVICES.map((s) => cluster?.kelvin('service', 'inspect', s).then((out) => (JSON.parse(out) as Array<{ id: string }>)[0]?.id).catch(() => undefined)));
  await cluster?.stop(SERVICES);
  // Containers of an agent stopped before it removed them.
  for (const id of serviceIds.filter((i): i is string => i !== undefined)) {
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=io.kelvin.service.id=${id}`], { encoding: 'utf8' }).trim();
    if (left) execFileSync('docker', ['rm', '-f', ...left.split('\n')], { stdio: 'ignore' });
  }
}, 30_000);

const ps = (service: string): Promise<string> => cluster.kelvin('service', 'ps', service);

describe('health checks', () => {
  it('replaces a process task whose --health-cmd fails, with unhealthy: <last output line> in service ps', async () => {
    await cluster.kelvin('service', 'create', '--name', 'sick', '--health-cmd', 'echo probing; echo "no answer on 8080"; exit 1', '--health-interval', '300ms', '--health-retries', '2', '--restart-delay', '500ms', '--', ...cluster.loop('sick'));
    let failed: TaskView | undefined;
    await expect
      .poll(async () => {
        const tasks = await cluster.tasks('sick');
        failed = tasks.find((t) => t.state === 'failed');
        return failed !== undefined && tasks.some((t) => t.id !== failed?.id && t.desiredState === 'running');
      }, { timeout: 20_000, interval: 300 })
      .toBe(true);
    expect(failed).toMatchObject({ error: 'unhealthy: no answer on 8080', health: 'unhealthy' });
    expect(failed?.healthLog.map((r) => [r.exitCode, r.output])).toEqual([[1, 'probing\nno answer on 8080\n'], [1, 'probing\nno answer on 8080\n']]);
    const row = (await ps('sick')).split('\n').find((l) => l.startsWith(failed?.id.slice(0, 12) ?? '?'));
    expect(row).toMatch(/ Shutdown +Failed .* unhealthy: no answer on 8080$/);
    const [inspected] = JSON.parse(await cluster.kelvin('task', 'inspect', failed?.id ?? '')) as TaskView[];
    expect(inspected?.healthLog.at(-1)).toMatchObject({ exitCode: 1, output: 'probing\nno answer on 8080\n' });
  });

  it('shows Running (healthy) for a process task whose check passes, in ps and --json', async () => {
    await cluster.kelvin('service', 'create', '--name', 'fine', '--health-cmd', 'test -d .', '--health-interval', '300ms', '--', ...cluster.loop('fine'));
    await expect.poll(() => ps('fine'), { timeout: 15_000, interval: 300 }).toMatch(/ Running +Running \(healthy\) /);
    const [task] = await cluster.tasks('fine');
    expect(task).toMatchObject({ state: 'running', health: 'healthy', error: null });
  });

  it.skipIf(!hasDocker)('shows a Docker task healthy as the engine reports it', async () => {
    await cluster.kelvin('service', 'create', '--name', 'web', '--health-cmd', 'echo ok', '--health-interval', '500ms', TEST_IMAGE, 'sleep', '600');
    await expect.poll(() => ps('web'), { timeout: 30_000, interval: 500 }).toMatch(/ Running +Running \(healthy\) /);
    const [task] = await cluster.tasks('web');
    expect(task?.healthLog.at(-1)).toMatchObject({ exitCode: 0, output: 'ok\n' });
  });
});
