/**
 * A manager killed with -9 in the middle of a rolling update resumes it where it was after its
 * restart: the batches finished before the kill keep their tasks, the update is not started over.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventView, ServiceView, TaskView } from '../../manager/api/views.js';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start();
  cluster.startAgent('orin', boardRoot('jetson-orin'));
  cluster.startAgent('gpubox', boardRoot('x86-nvidia'), { nvidiaSmi: true });
  await cluster.waitForReadyNodes(2);
}, 60_000);

afterAll(async () => {
  await cluster?.stop(['web']);
}, 30_000);

const inspect = async (): Promise<ServiceView> => (JSON.parse(await cluster.kelvin('service', 'inspect', 'web')) as ServiceView[])[0] as ServiceView;
const live = async (): Promise<TaskView[]> => (await cluster.tasks('web')).filter((t) => t.desiredState === 'running');

it('resumes a rolling update after a kill -9 of the manager without redoing finished batches', async () => {
  await cluster.kelvin('service', 'create', '--name', 'web', '--replicas', '4', '--env', 'V=1', '--update-monitor', '2s', '--update-delay', '1s', '--', ...cluster.loop('web'));
  await waitUntil('4 running', async () => (await live()).filter((t) => t.state === 'running').length === 4, 20_000);
  await cluster.kelvin('service', 'update', 'web', '--env-add', 'V=2', '--detach');
  // The first batch done and the second under way: kill the manager there.
  await waitUntil('the second batch', async () => (await live()).filter((t) => t.serviceVersion === 2).length === 2, 30_000);
  const finished = (await live()).filter((t) => t.serviceVersion === 2 && t.slot === 1).map((t) => t.id);
  expect(finished).toHaveLength(1);
  await cluster.stopManager('SIGKILL');
  await cluster.startManager();
  await waitUntil('the update to complete', async () => (await inspect()).updateStatus?.state === 'completed', 45_000);
  const tasks = await live();
  expect(tasks.map((t) => t.serviceVersion)).toEqual([2, 2, 2, 2]);
  expect(tasks.map((t) => t.id)).toEqual(expect.arrayContaining(finished));
  const events = JSON.parse(await cluster.kelvin('events', '--json')) as EventView[];
  expect(events.filter((e) => e.kind === 'service.update.updating')).toHaveLength(1);
  expect(events.filter((e) => e.kind === 'service.update.completed')).toHaveLength(1);
  const status = (await inspect()).updateStatus;
  expect(status).toMatchObject({ state: 'completed', failures: 0, total: 4 });
}, 90_000);
