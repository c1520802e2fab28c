import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARD_TYPES, loadThermalLimits } from '../../../agent/sim/board-types.js';
import { createPrng } from '../../../agent/sim/prng.js';
import { SimBoard } from '../../../agent/sim/sim-board.js';
import { newCounters, SimNode } from '../../../agent/sim/sim-node.js';
import { silentLogger } from '../../../shared/logger.js';
import type { DesiredTaskSet, TaskSpec } from '../../../shared/payloads/tasks.js';
import { nodeTopic } from '../../../shared/topics.js';
import { startMosquitto, type RunningBroker } from '../../helpers/mosquitto.js';
import { hasMosquitto } from '../../helpers/requirements.js';
import { MqttWatch } from '../mqtt-watch.js';
import { processSpec } from '../../helpers/task-spec.js';

const BOARDS = 50;
const TASKS_PER_BOARD = 2;

function spec(id: string): TaskSpec {
  return processSpec(['/bin/sh', '-c', 'sleep 1000'], {
    id,
    serviceName: 'work',
    slot: null,
    resources: { cpus: 0.5, memoryBytes: null, gpus: null },
    stopGracePeriodMs: 1000,
  });
}

const waitUntil = async (what: string, ok: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.skipIf(!hasMosquitto)('simulated boards taking work', () => {
  let broker: RunningBroker;
  let manager: MqttWatch;
  const nodes: SimNode[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    manager = await MqttWatch.open(broker.url, ['kelvin/v1/nodes/+/status', 'kelvin/v1/nodes/+/task-status']);
    const limits = loadThermalLimits().pi4;
    for (let i = 0; i < BOARDS; i++) {
      const nodeId = `t-pi4-${String(i).padStart(3, '0')}`;
      const board = new SimBoard({ nodeId, type: BOARD_TYPES.pi4, limits, random: createPrng(i + 1), now: Date.now });
      nodes.push(new SimNode({ board, brokerUrl: broker.url, ca: null, token: 't', nodeSecret: 's', keepaliveS: 2, logger: silentLogger(), counters: newCounters(), relay: null, now: Date.now }));
    }
    await Promise.all(nodes.map((n) => n.powerOn()));
    await waitUntil('every board connected', () => nodes.every((n) => n.connected), 10_000);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.powerOff(true)));
    await manager?.close();
    await broker?.stop();
  });

  it(`${BOARDS} boards receive desired sets of ${TASKS_PER_BOARD} tasks at once and report them running, none dropping and the loop never stalling`, async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    await Promise.all(
      nodes.map((n) => {
        const set: DesiredTaskSet = { v: 1, nodeId: n.nodeId, generation: 1, tasks: Array.from({ length: TASKS_PER_BOARD }, (_, k) => spec(`${n.nodeId}-task-${k}`)) };
        return manager.publish(nodeTopic(n.nodeId, 'tasks'), JSON.stringify(set), { qos: 1, retain: true });
      }),
    );
    const running = (): Set<string> => {
      const ids = new Set<string>();
      for (const n of nodes) for (const m of manager.on(nodeTopic(n.nodeId, 'task-status'))) if ((m.json as { state?: string }).state === 'running') ids.add((m.json as { taskId: string }).taskId);
      return ids;
    };
    await waitUntil(`${BOARDS * TASKS_PER_BOARD} tasks running`, () => running().size === BOARDS * TASKS_PER_BOARD, 15_000);
    // Keep the fleet up past the keepalive (2 s): a stalled loop would lose connections here.
    await new Promise((r) => setTimeout(r, 3000));
    delay.disable();

    expect(nodes.map((n) => n.board.runtime.runningCount)).toEqual(nodes.map(() => TASKS_PER_BOARD));
    expect(nodes.every((n) => n.connected)).toBe(true);
    const wills = nodes.flatMap((n) => manager.on(nodeTopic(n.nodeId, 'status'))).filter((m) => (m.json as { state?: string }).state === 'offline');
    expect(wills).toEqual([]);
    // Well under the keepalive: boards would be cut off by the broker and seen as flapping by the manager.
    expect(delay.max / 1e6).toBeLessThan(1000);
  });

  it('keeps task records across a power cycle, as a board keeps its state dir: the rebooted agent reports the lost tasks failed', async () => {
    const node = nodes[0] as SimNode;
    const topic = nodeTopic(node.nodeId, 'task-status');
    await node.powerOff(true);
    await node.powerOn();
    const failed = await manager.waitFor(topic, (json) => (json as { state?: string; error?: string }).state === 'failed', 10_000);
    expect((failed.json as { error: string }).error).toMatch(/agent restarted/);
  });
});
