/**
 * A clean manager stop is maintenance, not node loss (issue 10): the built `kelvin manager` with
 * its local agent on a fixture board, stopped with SIGTERM and started again, never reports its
 * own node down, so nothing of it is moved.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventView } from '../../manager/api/views.js';
import { TestCluster } from '../helpers/cluster.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';

let cluster: TestCluster;
let board: WritableBoard;

beforeAll(async () => {
  board = writableBoard('rpi4');
  board.setTempC(55);
  board.setUnderVoltage(false);
  board.setBootId(randomUUID());
  cluster = await TestCluster.start(['--host-root', board.root]);
  await cluster.waitForReadyNodes(1);
}, 60_000);

afterAll(async () => {
  await cluster?.stop([]);
  board?.remove();
}, 30_000);

it('does not mark its own node down when stopped with SIGTERM and started again', async () => {
  const [local] = await cluster.nodes();
  expect(local).toMatchObject({ role: 'manager', status: 'ready' });
  await cluster.stopManager('SIGTERM');
  expect(cluster.manager?.exitCode).toBe(0);
  await cluster.startManager();
  await cluster.waitForReadyNodes(1);
  const events = JSON.parse(await cluster.kelvin('events', '--json')) as EventView[];
  expect(events.filter((e) => e.subject === local?.id).map((e) => e.kind)).toEqual(['node.join', 'node.ready']);
});
