/** `kelvin alerts`, `kelvin events`, `kelvin node ls` and `kelvin node update --thermal-*` through the built CLI against a real manager. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startApi, type ApiServer, type NodeView } from '../../manager/api/index.js';
import { silentLogger } from '../../shared/logger.js';
import type { Alert } from '../../shared/payloads/alert.js';
import { runKelvin, spawnKelvin } from '../helpers/cli.js';
import { eventually } from '../manager/broker/broker-client.js';
import { Rig, type Board } from '../manager/policy-runtime/rig.js';

let rig: Rig;
let api: ApiServer;
let pi: Board;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  rig = await Rig.start();
  api = await startApi(rig.manager, { host: '127.0.0.1', port: 0, brokerUrl: rig.manager.mqttUrl, logger: silentLogger() });
  env = { ...process.env, KELVIN_HOST: api.url, KELVIN_TOKEN: readFileSync(rig.manager.adminTokenPath, 'utf8').trim() };
  pi = await rig.board('pi-1'); // profile limits: warn 70, throttle 80, critical 85
  await pi.sample(50);
});

afterAll(async () => {
  await api.close();
  await rig.close();
});

const kelvin = (...args: string[]): ReturnType<typeof runKelvin> => runKelvin(args, { env });

describe('kelvin node update --thermal-*, node ls, alerts and events', () => {
  it('overrides thermal limits per node, and refuses limits out of order with exit 2 naming the limit', async () => {
    const ok = await kelvin('node', 'update', '--thermal-warn', '60', '--thermal-throttle', '65', 'pi-1');
    expect(ok).toMatchObject({ code: 0, stdout: 'pi-1\n' });
    const [view] = JSON.parse((await kelvin('node', 'inspect', 'pi-1')).stdout) as NodeView[];
    expect(view?.thermal.limits).toEqual({ warnC: 60, throttleC: 65, criticalC: 85, hysteresisC: 5 });
    expect(view?.thermalOverrides).toEqual({ warnC: 60, throttleC: 65 });

    const bad = await kelvin('node', 'update', '--thermal-warn', '90', 'pi-1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('kelvin: node pi-1-host: thermal warn limit 90 C must be below throttle limit 65 C (profile generic)\n');
    const notNumber = await kelvin('node', 'update', '--thermal-critical', 'hot', 'pi-1');
    expect(notNumber).toMatchObject({ code: 2, stderr: "kelvin: --thermal-critical: 'hot' is not a temperature in C (or 'default')\n" });
  });

  it('lists the alerts a node crossing its overridden limit raised, as JSON and as lines, and follows new ones', async () => {
    await pi.sample(66); // hot under the override (65), not under the profile (80)
    const listed = JSON.parse((await kelvin('alerts', '--json')).stdout) as Alert[];
    expect(listed.map((a) => [a.kind, a.nodeId, a.message])).toEqual([['thermal.throttle', 'pi-1', 'pi-1 is hot: 66.0 C >= 65 C, throttling 0 tasks']]);
    expect((await kelvin('alerts', '--node', 'pi-1-host', '--kind', 'thermal.throttle')).stdout).toMatch(/^\S+Z {2}WARNING {3}thermal\.throttle +pi-1 {2}pi-1 is hot: 66\.0 C >= 65 C/);
    expect(JSON.parse((await kelvin('alerts', '--json', '--kind', 'power.undervoltage')).stdout)).toEqual([]);
    expect(await kelvin('alerts', '--kind', 'hot')).toMatchObject({ code: 2, stderr: expect.stringContaining("--kind: 'hot' is not one of thermal.throttle") });

    const table = (await kelvin('node', 'ls')).stdout.split('\n');
    expect(table[0]).toMatch(/TEMP\s+THERMAL\s+POWER\s+TASKS$/);
    expect(table[1]).toMatch(/66\.0°C\s+Hot\s+Stable\s+0$/);
    const events = JSON.parse((await kelvin('events', '--json')).stdout) as Array<{ kind: string }>;
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['node.ready', 'node.update', 'thermal.throttle']));

    const follow = spawnKelvin(['alerts', '--follow', '--json'], { env });
    const lines: Alert[] = [];
    let buffered = '';
    follow.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const l of parts) if (l.trim()) lines.push(JSON.parse(l) as Alert);
    });
    try {
      await eventually(() => lines.length === 1, 20_000, 'the stored alert first');
      await pi.sample(90);
      await eventually(() => lines.length === 2, 20_000, 'the new alert');
      expect(lines[1]).toMatchObject({ kind: 'thermal.throttle', severity: 'critical', message: 'pi-1 is critical: 90.0 C >= 85 C, throttling 0 tasks' });
    } finally {
      follow.kill('SIGTERM');
    }
  });
});
