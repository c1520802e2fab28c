/**
 * The agent protects its board on its own: the real `kelvin agent` on a writable Pi 4 fixture
 * board runs a busy-loop process task from a retained desired set on Mosquitto; with the broker
 * gone, a critical temperature caps the task's CPU in its cgroup, and cooling lifts the cap.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNodeId } from '../../agent/identity.js';
import { removeTaskCgroup } from '../../agent/runtime/process/cgroup-cpu-limiter.js';
import type { DesiredTaskSet, TaskSpec } from '../../shared/payloads/tasks.js';
import { nodeTopic } from '../../shared/topics.js';
import { taskCpuCap, canCapCpuByCgroup } from '../helpers/cgroup-cpu.js';
import { spawnKelvin } from '../helpers/cli.js';
import { startMosquitto, type RunningBroker } from '../helpers/mosquitto.js';
import { hasMosquitto } from '../helpers/requirements.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';
import { MqttWatch } from './mqtt-watch.js';

const TASK_ID = `local-heat-${process.pid}`;

function busyLoopTask(): TaskSpec {
  return {
    id: TASK_ID,
    serviceId: 'svc-heat',
    serviceName: 'busy',
    slot: 1,
    driver: 'process',
    image: null,
    command: ['/bin/sh', '-c', 'while :; do :; done'],
    entrypoint: null,
    env: {},
    labels: {},
    workdir: null,
    resources: { cpus: null, memoryBytes: null, gpus: null },
    stopGracePeriodMs: 1000,
    throttle: null,
  };
}

async function nodeIdIn(stateDir: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const id = readNodeId(stateDir);
    if (id) return id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no node id in ${stateDir}`);
}

describe.skipIf(!hasMosquitto || !canCapCpuByCgroup())('the agent caps its tasks at critical when the manager is unreachable', () => {
  let broker: RunningBroker | null = null;
  let board: WritableBoard;
  let dir: string;
  let agent: ChildProcess;
  let taskPid = 0;

  beforeAll(async () => {
    broker = await startMosquitto();
    board = writableBoard('rpi4');
    board.setTempC(55);
    dir = mkdtempSync(join(tmpdir(), 'kelvin-local-heat-'));
    const stateDir = join(dir, 'state');
    agent = spawnKelvin(
      ['agent', '--broker', broker.url, '--token', 'join-token-1', '--state-dir', stateDir, '--host-root', board.root, '--name', 'hot-pi', '--interval', '500ms', '--keepalive', '1s'],
      { env: { ...process.env, KELVIN_LOG_LEVEL: 'warn' } },
    );
    const nodeId = await nodeIdIn(stateDir);
    const watch = await MqttWatch.open(broker.url, [nodeTopic(nodeId, 'task-status')]);
    const set: DesiredTaskSet = { v: 1, nodeId, generation: 1, tasks: [busyLoopTask()] };
    await watch.publish(nodeTopic(nodeId, 'tasks'), JSON.stringify(set), { qos: 1, retain: true });
    const running = await watch.waitFor(nodeTopic(nodeId, 'task-status'), (s) => (s as { state?: string }).state === 'running', 15_000);
    taskPid = Number((running.json as { runtimeId: string }).runtimeId);
    await watch.close();
  }, 30_000);

  afterAll(async () => {
    agent?.kill('SIGKILL');
    for (const target of [-taskPid, taskPid]) {
      try {
        if (taskPid > 0) process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    await removeTaskCgroup('/sys/fs/cgroup', TASK_ID).catch(() => undefined);
    await broker?.stop();
    board?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs uncapped while the board is cool, even with the broker gone', async () => {
    await broker?.stop();
    broker = null;
    await new Promise((r) => setTimeout(r, 1500));
    expect(taskCpuCap(TASK_ID) ?? null).toBeNull();
  });

  it('caps the task at a quarter of the board (1 of 4 cores) within seconds of a critical reading', async () => {
    board.setTempC(80);
    await expect.poll(() => taskCpuCap(TASK_ID), { timeout: 5000, interval: 100 }).toBe(1);
  });

  it('keeps the cap while the board is only inside the hysteresis band, and lifts it once cooled and held', async () => {
    board.setTempC(73);
    await new Promise((r) => setTimeout(r, 3500));
    expect(taskCpuCap(TASK_ID)).toBe(1);
    board.setTempC(55);
    // 5 readings at 500 ms of hold, plus a reading's slack.
    await expect.poll(() => taskCpuCap(TASK_ID), { timeout: 6000, interval: 100 }).toBeNull();
  });
});
