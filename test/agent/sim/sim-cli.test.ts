import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKelvin, spawnKelvin } from '../../helpers/cli.js';
import { startMosquitto, type RunningBroker } from '../../helpers/mosquitto.js';
import { hasMosquitto } from '../../helpers/requirements.js';
import { MqttWatch, type Received } from '../mqtt-watch.js';
import type { NodeFacts } from '../../../shared/payloads/facts.js';
import type { NodeStatus } from '../../../shared/payloads/status.js';
import type { Telemetry } from '../../../shared/payloads/telemetry.js';

const nodeOf = (m: Received): string => m.topic.split('/')[3] ?? '';

async function finish(child: ReturnType<typeof spawnKelvin>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('kelvin sim: bad flags', () => {
  it('rejects a mix that does not add up with one line and exit 2', async () => {
    const r = await runKelvin(['sim', '--broker', 'mqtt://127.0.0.1:1', '--token', 't', '--mix', 'pi4:50,orin:20']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('kelvin: --mix: percentages add up to 70, not 100\n');
    expect(r.stdout).toBe('');
  });
});

describe.skipIf(!hasMosquitto)('kelvin sim against a real broker', () => {
  let broker: RunningBroker;

  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('runs 20 boards through the agent session: retained online statuses, facts per family, telemetry counting up', async () => {
    const watch = await MqttWatch.open(broker.url, ['kelvin/v1/nodes/+/telemetry', 'kelvin/v1/nodes/+/facts']);
    const child = spawnKelvin(['sim', '--broker', broker.url, '--token', 'tok', '--nodes', '20', '--duration', '4s', '--status-every', '1s', '--prefix', 'run']);
    const done = finish(child);
    await new Promise((r) => setTimeout(r, 2500));
    // A subscriber arriving now gets every board's retained status.
    const late = await MqttWatch.open(broker.url, ['kelvin/v1/nodes/+/status']);
    await new Promise((r) => setTimeout(r, 300));
    const retained = late.messages.filter((m) => m.retain && (m.json as NodeStatus).state === 'online');
    await late.close();
    const result = await done;
    await watch.close();

    expect(result.code, result.stderr).toBe(0);
    expect(new Set(retained.map(nodeOf)).size).toBe(20);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ boards: 20, mix: { pi4: 12, orin: 4, x86gpu: 4 }, connects: 20, reconnects: 0 });
    expect(summary.telemetryPublished).toBeGreaterThanOrEqual(40);
    expect(result.stderr).toMatch(/kelvin sim: \d+s {2}connected 20\/20 {2}tasks running 0 {2}hottest run-/);

    const facts = new Map(watch.messages.filter((m) => m.topic.endsWith('/facts')).map((m) => [nodeOf(m), m.json as NodeFacts]));
    expect(facts.size).toBe(20);
    expect(facts.get('run-pi4-0001')).toMatchObject({ arch: 'aarch64', gpus: [], board: { profile: 'rpi-4' }, thermalLimits: { throttleC: 70 }, labels: { gpu: 'false' } });
    expect(facts.get('run-orin-0013')).toMatchObject({ arch: 'aarch64', gpus: [{ vendor: 'nvidia', integrated: true }], labels: { gpu: 'true', 'gpu.vendor': 'nvidia', 'gpu.integrated': 'true' } });
    const x86 = facts.get('run-x86gpu-0020');
    expect(x86).toMatchObject({ arch: 'x86_64', gpus: [{ vendor: 'nvidia' }], labels: { 'gpu.vendor': 'nvidia' } });
    expect(x86?.gpus[0]?.memoryBytes).toBeGreaterThan(0);

    const telemetry = watch.messages.filter((m) => m.topic.endsWith('/telemetry'));
    expect(new Set(telemetry.map(nodeOf)).size).toBe(20);
    const seqs = telemetry.filter((m) => nodeOf(m) === 'run-pi4-0005').map((m) => (m.json as Telemetry).seq);
    expect(seqs.length).toBeGreaterThanOrEqual(2);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[0]).toBe(0);
    const sample = telemetry.find((m) => nodeOf(m) === 'run-x86gpu-0020')?.json as Telemetry;
    expect(sample.cpuTempC).toBeGreaterThan(15);
    expect(sample.gpus[0]?.tempC).not.toBeNull();
  });

  it('brownout-storm: dropped boards go offline by their will and come back with a new boot id', async () => {
    const watch = await MqttWatch.open(broker.url, ['kelvin/v1/nodes/+/status', 'kelvin/v1/nodes/+/telemetry']);
    const child = spawnKelvin([
      'sim', '--broker', broker.url, '--token', 'tok', '--nodes', '20', '--prefix', 'bo', '--duration', '5s',
      '--scenario', 'brownout-storm', '--brownout-share', '10', '--brownout-at', '1500ms', '--brownout-down', '1500ms',
    ]);
    const result = await finish(child);
    await watch.close();
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ boards: 20, drops: 2, reconnects: 2, connects: 22 });

    const statuses = watch.messages.filter((m) => m.topic.endsWith('/status') && nodeOf(m).startsWith('bo-'));
    const wills = statuses.filter((m) => (m.json as NodeStatus).state === 'offline' && !(m.json as NodeStatus).clean);
    const dropped = [...new Set(wills.map(nodeOf))];
    expect(dropped).toHaveLength(2);
    for (const nodeId of dropped) {
      const mine = statuses.filter((m) => nodeOf(m) === nodeId).map((m) => m.json as NodeStatus);
      const willAt = mine.findIndex((s) => s.state === 'offline' && !s.clean);
      const before = mine.slice(0, willAt).filter((s) => s.state === 'online').at(-1);
      const after = mine.slice(willAt + 1).find((s) => s.state === 'online');
      expect(before?.bootId).toBe(mine[willAt]?.bootId);
      expect(after).toBeDefined();
      expect(after?.bootId).not.toBe(before?.bootId);
      // The last sample before the drop reports the under-voltage.
      const samples = watch.messages.filter((m) => m.topic === `kelvin/v1/nodes/${nodeId}/telemetry`);
      const flagged = samples.filter((m) => (m.json as Telemetry).power.underVoltageNow === true);
      expect(flagged.length).toBeGreaterThanOrEqual(1);
      // After the reboot the seq starts over and the flag is gone.
      const afterReboot = samples.filter((m) => m.at > (flagged.at(-1)?.at ?? 0)).map((m) => m.json as Telemetry);
      expect(afterReboot[0]?.seq).toBe(0);
      expect(afterReboot.every((t) => t.power.underVoltageNow !== true)).toBe(true);
    }
    // Every other board stayed up until the orderly end: online, then one clean offline.
    const others = new Set(statuses.filter((m) => !dropped.includes(nodeOf(m))).map(nodeOf));
    expect(others.size).toBe(18);
    for (const nodeId of others) {
      const states = statuses.filter((m) => nodeOf(m) === nodeId).map((m) => `${(m.json as NodeStatus).state}/${(m.json as NodeStatus).clean}`);
      expect(states).toEqual(['online/true', 'offline/true']);
    }
  });
});
