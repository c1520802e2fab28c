/**
 * Ambient sensors fitted to a board, end to end: a real manager and two agents, one on a Pi 4
 * fixture board with DS18B20 and IIO sensors in its enclosure, one on a plain Pi 4. The readings
 * show in `node ls`/`inspect`, `node.hw.ambient` places work, and an ambient limit set with
 * `kelvin node update --thermal-ambient-throttle` makes the board hot while its CPU is cool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '../../manager/api/views.js';
import { TestCluster } from '../helpers/cluster.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';

let cluster: TestCluster;
let shed: WritableBoard;
let plain: WritableBoard;

beforeAll(async () => {
  shed = writableBoard('rpi4-enclosure');
  plain = writableBoard('rpi4');
  for (const b of [shed, plain]) {
    b.setTempC(50);
    b.setUnderVoltage(false);
  }
  cluster = await TestCluster.start(['--thermal-hold', '2s']);
  cluster.startAgent('pi-shed', shed.root);
  cluster.startAgent('pi-plain', plain.root);
  await cluster.waitForReadyNodes(2);
}, 60_000);

afterAll(async () => {
  await cluster?.stop(['near-air', 'cool-air']);
  shed?.remove();
  plain?.remove();
}, 30_000);

describe('ambient sensors', () => {
  it('are shown beside the CPU temperature, warmest first', async () => {
    await expect.poll(() => cluster.kelvin('node', 'inspect', '--pretty', 'pi-shed'), { timeout: 15_000 }).toContain(
      'Ambient:       31.4°C w1:28-0316a2794bff, 24.3°C 41% RH iio:bme280, 23.1°C w1:28-01144b83a1aa, 22.9°C 46% RH iio:hdc100x',
    );
    const table = await cluster.kelvin('node', 'ls');
    expect(table).toMatch(/AMBIENT/);
    expect(table.split('\n').find((l) => l.includes('pi-shed'))).toContain('31.4°C');
    expect(table.split('\n').find((l) => l.includes('pi-plain'))).toMatch(/50\.0°C\s+-\s/);
  });

  it('place work with node.hw.ambient, failing closed on boards without sensors', async () => {
    await cluster.kelvin('service', 'create', '--name', 'near-air', '--constraint', 'node.hw.ambient<35', '--', ...cluster.loop('near-air'));
    await expect.poll(() => cluster.runningOn('near-air'), { timeout: 20_000 }).toEqual(['pi-shed']);
    await cluster.kelvin('service', 'create', '--name', 'cool-air', '--constraint', 'node.hw.ambient<30', '--', ...cluster.loop('cool-air'));
    await expect.poll(async () => (await cluster.kelvin('service', 'ps', 'cool-air')).includes('node.hw.ambient<30'), { timeout: 20_000 }).toBe(true);
    expect(await cluster.runningOn('cool-air')).toEqual([]);
  });

  it('make a board with a cool CPU hot once its enclosure passes the ambient throttle limit', async () => {
    await cluster.kelvin('node', 'update', '--thermal-ambient-throttle', '35', 'pi-shed');
    expect(await cluster.kelvin('node', 'inspect', '--pretty', 'pi-shed')).toContain('Ambient limits: throttle 35 °C');
    shed.setAmbientC(38);
    await expect.poll(async () => (await cluster.nodes()).find((n) => n.hostname === 'pi-shed')?.thermal.state, { timeout: 20_000 }).toBe('hot');
    const alerts = JSON.parse(await cluster.kelvin('alerts', '--json', '--node', 'pi-shed')) as AlertView[];
    expect(alerts.map((a) => a.message)).toContainEqual(expect.stringContaining('is hot: ambient 38.0 C (w1:28-0316a2794bff) reached its throttle limit'));
    // The CPU stayed at 50 C throughout: the enclosure alone made the board hot.
    expect((await cluster.nodes()).find((n) => n.hostname === 'pi-shed')?.telemetry?.cpuTempC).toBe(50);
    await expect(cluster.kelvin('node', 'update', '--thermal-ambient-warn', '40', 'pi-shed')).rejects.toThrow(
      'ambient warn limit 40 C must be below ambient throttle limit 35 C',
    );
  });
});
