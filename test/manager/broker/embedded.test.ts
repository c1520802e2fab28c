import type { MqttClient } from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatMqttPassword, MANAGER_MQTT_USERNAME } from '../../../shared/credentials.js';
import { silentLogger } from '../../../shared/logger.js';
import { nodeTopic } from '../../../shared/topics.js';
import { DEFAULT_PUBLISH_RATE, startEmbeddedBroker, type EmbeddedBroker } from '../../../manager/broker/embedded.js';
import { MAX_NODE_PACKET_BYTES } from '../../../manager/broker/packet-limit.js';
import { MAX_DESIRED_SET_BYTES } from '../../../shared/wire.js';
import { InboundRouter } from '../../../manager/broker/inbound.js';
import { PendingJoins } from '../../../manager/broker/pending-joins.js';
import { Cluster } from '../../../manager/cluster.js';
import { Inventory } from '../../../manager/inventory/inventory.js';
import { systemClock } from '../../../manager/options.js';
import { ensureClusterIdentity } from '../../../manager/store/cluster-identity.js';
import { Store } from '../../../manager/store/store.js';
import mqtt from 'mqtt';
import { factsFor } from '../orchestrator/harness.js';
import { closed, collect, connectAs, connectBoard, eventually, silentBoard, sleep, subscribeGranted } from './broker-client.js';

const MANAGER_SECRET = 'manager-secret-for-test';
let dir: string;
let store: Store;
let cluster: Cluster;
let broker: EmbeddedBroker;
let manager: MqttClient;
const pending = new PendingJoins();
const clients: MqttClient[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-broker-'));
  store = Store.open(join(dir, 'kelvin.db'));
  ensureClusterIdentity(store, dir, Date.now());
  cluster = new Cluster(store, systemClock);
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, store, managerSecret: MANAGER_SECRET, pending, logger: silentLogger(), tls: null });
  manager = await connectAs(broker.url, MANAGER_MQTT_USERNAME, MANAGER_SECRET);
  // The manager's side of joining: a node is registered on its first report.
  const inventory = new Inventory({ store, clock: systemClock, nodeTimeoutMs: 60_000, localAgentNodeId: null, logger: silentLogger(), admit: (id) => pending.admit(id) });
  const router = new InboundRouter(silentLogger());
  router.add((m) => inventory.handle(m));
  manager.on('message', (topic, payload) => router.route(topic, payload));
  await manager.subscribeAsync('kelvin/v1/nodes/#');
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});

afterAll(async () => {
  await manager.endAsync(true);
  await broker.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function board(nodeId: string, token: string, secret: string): Promise<MqttClient> {
  const c = await connectBoard(broker.url, nodeId, token, secret);
  clients.push(c);
  return c;
}

/** Connects, reports online (which registers a joining node) and waits until the store has it. */
async function reportingBoard(nodeId: string, token: string, secret: string): Promise<MqttClient> {
  const c = await board(nodeId, token, secret);
  await c.publishAsync(nodeTopic(nodeId, 'status'), JSON.stringify({ v: 1, state: 'online', bootId: 'b1', clean: true, ts: Date.now() }), { qos: 1, retain: true });
  await eventually(() => store.getNode(nodeId) ?? undefined, 5000, `${nodeId} registered`);
  return c;
}

async function leave(c: MqttClient): Promise<void> {
  clients.splice(clients.indexOf(c), 1);
  await c.endAsync();
}

describe('embedded broker authentication', () => {
  it('binds the secret of a node that presents the join token at connect, registers it on its first report, then accepts only that secret', async () => {
    const first = await board('pi-1', cluster.joinToken(), 'secret-one');
    expect(store.getNode('pi-1')).toBeNull();
    await expect(board('pi-1', cluster.joinToken(), 'someone-else')).rejects.toThrow(/Bad username or password/i);
    await first.publishAsync(nodeTopic('pi-1', 'status'), JSON.stringify({ v: 1, state: 'online', bootId: 'b1', clean: true, ts: Date.now() }), { qos: 1, retain: true });
    await eventually(() => store.getNode('pi-1') ?? undefined, 5000, 'pi-1 registered');
    expect(store.nodeCredential('pi-1')?.secretHash).not.toContain('secret-one');
    await leave(first);
    await board('pi-1', cluster.joinToken(), 'secret-one');
    await expect(board('pi-1', cluster.joinToken(), 'someone-else')).rejects.toThrow(/Bad username or password/i);
  });

  it('never registers a node that connects with the join token but does not report', async () => {
    const quiet = await board('pi-quiet', cluster.joinToken(), 'q');
    await sleep(300);
    expect(store.getNode('pi-quiet')).toBeNull();
    expect(cluster.events().some((e) => e.subject === 'pi-quiet')).toBe(false);
    await leave(quiet);
  });

  it("refuses a node that connects with a client id other than its own, and one with a live node's client id", async () => {
    const password = formatMqttPassword({ joinToken: cluster.joinToken(), nodeSecret: 'x' });
    const opts = { reconnectPeriod: 0, connectTimeout: 5000 };
    await expect(mqtt.connectAsync(broker.url, { ...opts, username: 'pi-20', password, clientId: 'anything' })).rejects.toThrow(/Identifier rejected/i);
    const victim = await reportingBoard('pi-21', cluster.joinToken(), 'victim-secret');
    await expect(mqtt.connectAsync(broker.url, { ...opts, username: 'pi-22', password, clientId: 'kelvin-agent-pi-21' })).rejects.toThrow(/Identifier rejected/i);
    await expect(connectBoard(broker.url, 'pi-21', cluster.joinToken(), 'guessed')).rejects.toThrow(/Bad username or password/i);
    // Even the node's own secret does not displace a live session (a cloned board, a second agent).
    await expect(connectBoard(broker.url, 'pi-21', cluster.joinToken(), 'victim-secret')).rejects.toThrow(/Not authorized/i);
    expect(victim.connected).toBe(true);
  });

  it("lets the node's own secret replace a session silent past its keepalive (half-open), never a live one", async () => {
    const keepaliveS = 4;
    const halfOpen = await silentBoard(broker.port, 'pi-40', cluster.joinToken(), 'own-secret', keepaliveS);
    const gone = new Promise<void>((resolve) => halfOpen.once('close', () => resolve()));
    await expect(connectBoard(broker.url, 'pi-40', cluster.joinToken(), 'own-secret')).rejects.toThrow(/Not authorized/i);
    // Past one keepalive without a packet (aedes itself would drop it only at 1.5 x).
    await sleep(keepaliveS * 1000 + 300);
    await expect(connectBoard(broker.url, 'pi-40', cluster.joinToken(), 'guessed')).rejects.toThrow(/Bad username or password/i);
    clients.push(await connectBoard(broker.url, 'pi-40', cluster.joinToken(), 'own-secret'));
    await gone;
  }, 15_000);

  it('refuses an unknown node with a wrong join token and a malformed password', async () => {
    await expect(board('pi-2', 'KLV-1-WRONG', 's')).rejects.toThrow(/Bad username or password/i);
    await expect(connectAs(broker.url, 'pi-2', 'no-colons')).rejects.toThrow(/Bad username or password/i);
    await expect(connectAs(broker.url, MANAGER_MQTT_USERNAME, 'guess')).rejects.toThrow(/Bad username or password/i);
    expect(store.getNode('pi-2')).toBeNull();
  });

  it('keeps joined nodes connecting after the join token rotates; new nodes need the new token', async () => {
    const old = cluster.joinToken();
    await leave(await reportingBoard('pi-3', old, 'secret-three'));
    const fresh = cluster.rotateJoinToken().joinToken;
    expect(fresh).not.toBe(old);
    await board('pi-3', old, 'secret-three');
    await expect(board('pi-4', old, 'secret-four')).rejects.toThrow(/Bad username or password/i);
    await board('pi-4', fresh, 'secret-four');
  });
});

describe('embedded broker topic rules', () => {
  it('lets a node publish its own status and read its own tasks', async () => {
    const seen = collect(manager);
    const pi = await board('pi-5', cluster.joinToken(), 's5');
    const own = collect(pi);
    await pi.publishAsync(nodeTopic('pi-5', 'status'), 'hello', { qos: 1 });
    expect(await seen.waitFor(nodeTopic('pi-5', 'status'))).toBe('hello');
    const granted = await pi.subscribeAsync(nodeTopic('pi-5', 'tasks'), { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    await manager.publishAsync(nodeTopic('pi-5', 'tasks'), 'set', { qos: 1 });
    expect(await own.waitFor(nodeTopic('pi-5', 'tasks'))).toBe('set');
  });

  it("drops a node that publishes on another node's topic", async () => {
    const seen = collect(manager);
    const pi = await board('pi-6', cluster.joinToken(), 's6');
    pi.publish(nodeTopic('pi-7', 'telemetry'), 'forged', { qos: 1 });
    expect(await closed(pi)).toBe(true);
    await sleep(100);
    expect(seen.messages.some((m) => m.topic === nodeTopic('pi-7', 'telemetry'))).toBe(false);
  });

  it('drops a node that publishes on its own tasks topic', async () => {
    const seen = collect(manager);
    const pi = await board('pi-8', cluster.joinToken(), 's8');
    pi.publish(nodeTopic('pi-8', 'tasks'), 'self-assigned', { qos: 1 });
    expect(await closed(pi)).toBe(true);
    await sleep(100);
    expect(seen.messages.some((m) => m.topic === nodeTopic('pi-8', 'tasks'))).toBe(false);
  });

  it("refuses subscriptions to another node's tasks and to wildcards", async () => {
    const pi = await board('pi-9', cluster.joinToken(), 's9');
    const own = collect(pi);
    const granted = await subscribeGranted(pi, [nodeTopic('pi-5', 'tasks'), 'kelvin/v1/nodes/+/tasks', 'kelvin/v1/#', nodeTopic('pi-9', 'telemetry'), nodeTopic('pi-9', 'tasks')]);
    expect(granted).toEqual([128, 128, 128, 128, 1]);
    await manager.publishAsync(nodeTopic('pi-5', 'tasks'), 'not for you', { qos: 1 });
    await sleep(100);
    expect(own.messages).toEqual([]);
  });

  it('disconnects a node as soon as it is removed', async () => {
    const pi = await board('pi-10', cluster.joinToken(), 's10');
    // Facts register it without making it ready, so it can be removed without --force.
    await pi.publishAsync(nodeTopic('pi-10', 'facts'), JSON.stringify(factsFor('pi-10')), { qos: 1, retain: true });
    await eventually(() => store.getNode('pi-10') ?? undefined, 5000, 'pi-10 registered');
    cluster.removeNode('pi-10');
    expect(await closed(pi)).toBe(true);
  });

  it('revokes a node removed with --force: its session ends after a moment to read that, and it is refused from then on, join token or not', async () => {
    const pi = await reportingBoard('pi-11', cluster.joinToken(), 's11');
    cluster.removeNode('pi-11', { force: true });
    expect(await closed(pi, 1000)).toBe(false);
    expect(await closed(pi, 8000)).toBe(true);
    await expect(board('pi-11', cluster.joinToken(), 's11')).rejects.toThrow(/Bad username or password/i);
    await expect(board('pi-11', cluster.joinToken(), 'a-new-secret')).rejects.toThrow(/Bad username or password/i);
    expect(store.getNode('pi-11')).toBeNull();
  });
});

describe('embedded broker limits', () => {
  it('closes a node that publishes a retained message on a topic that keeps none, and nothing is retained', async () => {
    const pi = await board('pi-30', cluster.joinToken(), 's30');
    pi.publish(nodeTopic('pi-30', 'telemetry'), '{}', { qos: 1, retain: true });
    expect(await closed(pi)).toBe(true);
    const late = await connectAs(broker.url, MANAGER_MQTT_USERNAME, MANAGER_SECRET);
    clients.push(late);
    const seen = collect(late);
    await late.subscribeAsync(nodeTopic('pi-30', 'telemetry'));
    await sleep(200);
    expect(seen.messages).toEqual([]);
  });

  it('closes a node whose packet is over the wire limit, and the manager never sees the payload', async () => {
    const seen = collect(manager);
    const pi = await board('pi-31', cluster.joinToken(), 's31');
    pi.publish(nodeTopic('pi-31', 'status'), Buffer.alloc(MAX_NODE_PACKET_BYTES + 1, 'x'), { qos: 0 });
    expect(await closed(pi)).toBe(true);
    await sleep(100);
    expect(seen.messages.some((m) => m.topic === nodeTopic('pi-31', 'status'))).toBe(false);
  });

  it('lets the manager publish a desired set of the full 1 MiB', async () => {
    const pi = await board('pi-32', cluster.joinToken(), 's32');
    const own = collect(pi);
    await pi.subscribeAsync(nodeTopic('pi-32', 'tasks'), { qos: 1 });
    await manager.publishAsync(nodeTopic('pi-32', 'tasks'), Buffer.alloc(MAX_DESIRED_SET_BYTES, 'x'), { qos: 1, retain: true });
    expect((await own.waitFor(nodeTopic('pi-32', 'tasks'))).length).toBe(MAX_DESIRED_SET_BYTES);
    await manager.publishAsync(nodeTopic('pi-32', 'tasks'), Buffer.alloc(0), { qos: 1, retain: true });
  });

  it('cuts a node that publishes faster than its rate allows', async () => {
    const pi = await board('pi-33', cluster.joinToken(), 's33');
    const flood = DEFAULT_PUBLISH_RATE.burst * 4;
    for (let i = 0; i < flood && pi.connected; i++) pi.publish(nodeTopic('pi-33', 'telemetry'), '{}', { qos: 0 });
    expect(await closed(pi, 5000)).toBe(true);
  });
});
