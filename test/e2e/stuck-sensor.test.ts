/**
 * A board whose thermal_zone0/temp is a FIFO, in a real cluster (manager, embedded broker, agent).
 * Before, the agent's telemetry stopped at its first sample, and the manager declared the node
 * down after `--node-timeout` (2 s here) and would have moved its tasks. Now the node stays ready
 * and `kelvin node inspect --pretty` names the stale sensor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBoardWithFifo } from '../agent/sensors/fixture-boards.js';
import { TestCluster } from '../helpers/cluster.js';

const ZONE_TEMP = 'sys/class/thermal/thermal_zone0/temp';
let cluster: TestCluster;
let board: { root: string; remove(): void };

beforeAll(async () => {
  cluster = await TestCluster.start();
  board = copyBoardWithFifo('rpi4', ZONE_TEMP);
  cluster.startAgent('stuck-pi', board.root);
  await cluster.waitForReadyNodes(1);
}, 60_000);

afterAll(async () => {
  await cluster?.stop([]);
  board?.remove();
}, 30_000);

describe('a board with a FIFO where a sensor file belongs', () => {
  it('stays ready past three node timeouts, and node inspect names the stale sensor', async () => {
    await expect.poll(async () => (await cluster.nodes())[0]?.telemetry?.staleSensors, { timeout: 15_000 }).toEqual([ZONE_TEMP]);
    await new Promise((r) => setTimeout(r, 3 * 2_000));
    const [node] = await cluster.nodes();
    expect(node?.status).toBe('ready');
    expect(Date.now() - (node?.telemetry?.ts ?? 0)).toBeLessThan(5_000);
    expect(node?.telemetry?.cpuTempC).toBe(71.54);
    const pretty = await cluster.kelvin('node', 'inspect', 'stuck-pi', '--pretty');
    expect(pretty).toContain(`Stale sensors: ${ZONE_TEMP}\n`);
    expect(pretty).not.toContain('Sampling:');
  });
});
