/**
 * A manager restart kills no healthy work (issue 10): the built `kelvin manager` with 100 process
 * tasks on three `kelvin agent` processes, stopped cleanly (SIGTERM) and, later, killed (`kill -9`)
 * and kept down for a minute, then restarted on the same data dir and ports. Every task keeps its
 * task id, node, start time and process: the restart grace keeps the boards ready until their
 * agents (reconnect backoff capped at 5 s) are back.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventView, TaskView } from '../../manager/api/views.js';
import { AGENT_RECONNECT_BACKOFF } from '../../shared/backoff.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';

const SERVICE = 'sleepers';
const TASKS = 100;
const BOARDS = ['pi-a', 'pi-b', 'pi-c'];
/** The default node timeout: the rig's 2 s is too tight for agents starting 33 tasks each on a loaded 2-core box. */
const NODE_TIMEOUT_MS = 5000;
const GRACE_MS = NODE_TIMEOUT_MS + AGENT_RECONNECT_BACKOFF.maxMs;

let cluster: TestCluster;
const boards: WritableBoard[] = [];

/** What must not change across a restart: each running task's id, node and start, and its process. */
interface Snapshot {
  tasks: string[];
  pids: number[];
}

async function liveTasks(): Promise<TaskView[]> {
  return (await cluster.tasks(SERVICE)).filter((t) => t.desiredState === 'running');
}

async function snapshot(): Promise<Snapshot> {
  const tasks = (await liveTasks()).map((t) => `${t.id} ${t.nodeId ?? '-'} ${t.state}/${t.desiredState} started ${t.startedAt ?? '-'}`).sort();
  return { tasks, pids: cluster.processesOf(SERVICE).sort((a, b) => a - b) };
}

async function events(): Promise<EventView[]> {
  return JSON.parse(await cluster.kelvin('events', '--json')) as EventView[];
}

/** Events that mean work was lost: a node declared down, a task moved, a task started again. */
const lossEvents = (list: EventView[], since: number): string[] =>
  list.filter((e) => e.id > since && /^(node\.down|task\.(reschedule|failed|moved))$/.test(e.kind)).map((e) => `${e.kind}: ${e.message}`);

async function restartAfter(signal: 'SIGTERM' | 'SIGKILL', downMs: number): Promise<{ before: Snapshot; after: Snapshot; lost: string[] }> {
  const before = await snapshot();
  const lastEvent = Math.max(0, ...(await events()).map((e) => e.id));
  await cluster.stopManager(signal);
  await new Promise((r) => setTimeout(r, downMs));
  await cluster.startManager();
  await cluster.waitForReadyNodes(BOARDS.length, 30_000);
  // Past the grace (and the orchestrator's deadline after it), with room for a slow machine.
  await new Promise((r) => setTimeout(r, GRACE_MS + 3000));
  await cluster.waitForReadyNodes(BOARDS.length, 10_000);
  return { before, after: await snapshot(), lost: lossEvents(await events(), lastEvent) };
}

beforeAll(async () => {
  cluster = await TestCluster.start(['--node-timeout', `${NODE_TIMEOUT_MS}ms`]);
  for (const name of BOARDS) {
    const board = writableBoard('rpi4');
    board.setTempC(55);
    board.setUnderVoltage(false);
    board.setBootId(randomUUID());
    boards.push(board);
    cluster.startAgent(name, board.root);
  }
  await cluster.waitForReadyNodes(BOARDS.length);
  // In steps of 25: an agent starting 33 processes at once on a loaded box can miss the node timeout.
  for (let replicas = 25; replicas <= TASKS; replicas += 25) {
    if (replicas === 25) await cluster.kelvin('service', 'create', '--name', SERVICE, '--replicas', '25', '--', '/bin/sh', '-c', 'while :; do sleep 3600; done', cluster.marker(SERVICE));
    else await cluster.kelvin('service', 'scale', `${SERVICE}=${replicas}`);
    await waitUntil(
      `${replicas} running tasks`,
      async () => (await liveTasks()).filter((t) => t.state === 'running').length === replicas && cluster.processesOf(SERVICE).length === replicas,
      60_000,
    );
  }
  const setupLoss = lossEvents(await events(), 0);
  if (setupLoss.length > 0) throw new Error(`work was lost while setting up, before any restart: ${setupLoss.slice(0, 3).join('; ')}`);
}, 180_000);

afterAll(async () => {
  await cluster?.stop([SERVICE]);
  for (const b of boards) b.remove();
}, 60_000);

describe('a manager restart with 100 process tasks on three boards', () => {
  it('restarts nothing after a clean stop (SIGTERM) and 15 s down', async () => {
    const { before, after, lost } = await restartAfter('SIGTERM', 15_000);
    expect(before.tasks).toHaveLength(TASKS);
    expect(new Set((await liveTasks()).map((t) => t.nodeId)).size).toBe(BOARDS.length);
    expect(before.pids).toHaveLength(TASKS);
    expect(lost).toEqual([]);
    expect(after).toEqual(before);
  }, 90_000);

  it('restarts nothing after kill -9 and 60 s down', async () => {
    const { before, after, lost } = await restartAfter('SIGKILL', 60_000);
    expect(before.tasks).toHaveLength(TASKS);
    expect(lost).toEqual([]);
    expect(after).toEqual(before);
  }, 150_000);
});
