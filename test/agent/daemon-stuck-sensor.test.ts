/**
 * The real `kelvin agent` process on a board whose thermal_zone0/temp is a FIFO (what a stuck
 * sensor looks like to a naive reader: open() never returns). Before, its telemetry stopped for
 * good with no log line, the manager declared the node down and killed its tasks, and SIGTERM
 * could not even end the process. Now it keeps publishing, reports the sensor stale, and exits.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readNodeId } from '../../agent/identity.js';
import { telemetry, type Telemetry } from '../../shared/payloads/telemetry.js';
import { nodeTopic } from '../../shared/topics.js';
import { runKelvin, spawnKelvin } from '../helpers/cli.js';
import { startMosquitto, type RunningBroker } from '../helpers/mosquitto.js';
import { hasMosquitto } from '../helpers/requirements.js';
import { MqttWatch } from './mqtt-watch.js';
import { copyBoardWithFifo } from './sensors/fixture-boards.js';

const ZONE_TEMP = 'sys/class/thermal/thermal_zone0/temp';
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A copy of the rpi4 fixture whose thermal_zone0/temp is a FIFO nobody writes. */
function boardWithFifoSensor(): string {
  const board = copyBoardWithFifo('rpi4', ZONE_TEMP);
  cleanups.push(board.remove);
  return board.root;
}

function countLines(text: string, msg: string): number {
  return text.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
}

describe('kelvin agent --once on a board with a FIFO sensor', () => {
  it('answers, and names the stale sensor', async () => {
    const root = boardWithFifoSensor();
    const dir = mkdtempSync(join(tmpdir(), 'kelvin-once-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const r = await runKelvin(['agent', '--once', '--host-root', root, '--state-dir', join(dir, 'none')], { timeoutMs: 20_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Stale:       ${ZONE_TEMP} (present but unreadable; see the log)`);
    expect(r.stdout).toContain('CPU temp:    71.5 C');
  });
});

describe.skipIf(!hasMosquitto)('kelvin agent with a FIFO as a sensor file, against Mosquitto', () => {
  let broker: RunningBroker;
  let dir: string;

  beforeEach(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'kelvin-stuck-sensor-'));
    cleanups.push(async () => {
      rmSync(dir, { recursive: true, force: true });
      await broker.stop();
    });
  });

  function startAgent(root: string): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
    const child = spawnKelvin(['agent', '--broker', broker.url, '--state-dir', join(dir, 'state'), '--host-root', root, '--interval', '200ms'], {
      env: { ...process.env, KELVIN_JOIN_TOKEN: 'join-token-1', KELVIN_LOG_LEVEL: 'info' },
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    return { child, stderr: () => err, exited };
  }

  it('keeps publishing telemetry with that sensor stale, logs it once, reads it again when it heals, and stops on SIGTERM', async () => {
    const root = boardWithFifoSensor();
    const watch = await MqttWatch.open(broker.url, ['kelvin/v1/nodes/+/telemetry']);
    cleanups.push(() => watch.close());
    const agent = startAgent(root);

    const deadline = Date.now() + 15_000;
    let nodeId: string | null = null;
    while ((nodeId = readNodeId(join(dir, 'state'))) === null) {
      if (Date.now() > deadline) throw new Error(`no node id; agent stderr:\n${agent.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const topic = nodeTopic(nodeId, 'telemetry');
    await watch.waitFor(topic, (j) => (j as Telemetry).seq >= 10, 15_000);
    const samples = watch.on(topic).map((m) => telemetry.parse(m.json));
    expect(samples.map((s) => s.seq).slice(0, 11)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const s of samples) {
      expect(s.staleSensors).toEqual([ZONE_TEMP]);
      expect(s.cpuTempC).toBe(71.54); // from the hwmon view of the same sensor
    }
    expect(countLines(agent.stderr(), 'sensor path is not a regular file; skipping it')).toBe(1);

    rmSync(join(root, ZONE_TEMP));
    writeFileSync(join(root, ZONE_TEMP), '50000\n');
    const healed = await watch.waitFor(topic, (j) => (j as Telemetry).staleSensors === undefined, 15_000);
    expect(telemetry.parse(healed.json).temps).toContainEqual({ sensor: 'cpu-thermal', tempC: 50 });
    expect(countLines(agent.stderr(), 'sensor file readable again')).toBe(1);

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });
});
