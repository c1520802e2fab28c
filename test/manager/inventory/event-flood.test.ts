/**
 * Attack: one board floods its status with alternating boot ids over real MQTT (an MQTT.js client
 * holding a valid node credential). Before, every message was a `node.reboot` event and 10,000 of
 * them evicted the whole cluster's history; now the repeats collapse into one counted event and
 * the other nodes' earlier events survive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManager, type RunningManager } from '../../../manager/manager.js';
import { silentLogger } from '../../../shared/logger.js';
import { connectBoard, eventually, SimulatedBoard } from '../broker/broker-client.js';
import { factsFor } from '../orchestrator/harness.js';

const FLOOD = 12_000;

let dir: string;
let manager: RunningManager;
let victim: SimulatedBoard;
let attacker: MqttClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-flood-'));
  manager = await startManager({ dataDir: dir, mqttHost: '127.0.0.1', mqttPort: 0, insecureMqtt: true, nodeTimeoutMs: 60_000 }, { logger: silentLogger() });
  victim = await SimulatedBoard.connect(manager.mqttUrl, 'pi-2', manager.cluster.joinToken(), 'pi-2-secret', factsFor('pi-2'));
  await eventually(() => manager.store.listEvents().some((e) => e.kind === 'node.ready' && e.subject === 'pi-2'), 10_000, 'pi-2 ready');
  attacker = await connectBoard(manager.mqttUrl, 'evil', manager.cluster.joinToken(), 'evil-secret');
});

afterAll(async () => {
  await attacker?.endAsync(true);
  await victim?.close();
  await manager?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a status flood with alternating boot ids', () => {
  it('collapses into a counted node.reboot event and evicts no other node\'s history', async () => {
    // What the inventory saw, as ground truth: a broker that rate-limits the flood lets fewer through.
    let reboots = 0;
    let lastChange = Date.now();
    manager.store.on('change', (changes) => {
      for (const c of changes) {
        if (c.kind !== 'node' || c.id !== 'evil' || !c.before?.bootId || !c.after || c.before.bootId === c.after.bootId) continue;
        reboots++;
        lastChange = Date.now();
      }
    });
    const topic = 'kelvin/v1/nodes/evil/status';
    const status = (bootId: string): string => JSON.stringify({ v: 1, state: 'online', bootId, clean: false, ts: Date.now() });
    await attacker.publishAsync('kelvin/v1/nodes/evil/facts', JSON.stringify(factsFor('evil', { bootId: 'a' })), { qos: 1 });
    // The broker cuts a node past its publish rate (broker/embedded.ts), so the flood may end early;
    // publishes in flight on a cut connection never settle: stop waiting for them then.
    const cut = new Promise<void>((resolve) => attacker.once('close', () => resolve()));
    for (let i = 0; i < FLOOD && attacker.connected; i += 500) {
      await Promise.race([Promise.allSettled(Array.from({ length: 500 }, (_, j) => attacker.publishAsync(topic, status((i + j) % 2 === 0 ? 'b' : 'a'), { qos: 1 }))), cut]);
    }
    if (attacker.connected) await Promise.race([Promise.allSettled([attacker.publishAsync(topic, status('last'), { qos: 1 })]), cut]);
    await eventually(() => manager.store.getNode('evil')?.bootId === 'last' || Date.now() - lastChange > 3000, 60_000, 'the flood processed');

    const events = manager.store.listEvents({ limit: 100_000 });
    // The victim's history from before the flood is all still there.
    expect(events.filter((e) => e.subject === 'pi-2').map((e) => e.kind)).toContain('node.ready');
    const rows = events.filter((e) => e.kind === 'node.reboot' && e.subject === 'evil');
    expect(reboots).toBeGreaterThan(100);
    // A few rows a minute (the flood may straddle a window), not one per message.
    expect(rows.length).toBeLessThanOrEqual(2 * 11);
    const collapsed = rows.filter((e) => typeof e.details.repeats === 'number');
    expect(collapsed.length).toBeGreaterThanOrEqual(1);
    expect(collapsed[0]?.message).toMatch(/^node\.reboot x\d+ in the last minute: node evil-host rebooted$/);
    // Nothing is lost: every reboot is a row or counted in one.
    expect(rows.reduce((n, e) => n + (typeof e.details.repeats === 'number' ? e.details.repeats : 1), 0)).toBe(reboots);
  }, 120_000);
});
