/**
 * The agent against the manager's embedded aedes broker, with real authentication: the first start
 * joins with the join token and binds the node secret; a restart from the same state dir is
 * accepted on that secret alone, and its facts reach the manager's client.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNodeId } from '../../agent/identity.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../manager/broker/embedded.js';
import { InboundRouter } from '../../manager/broker/inbound.js';
import { PendingJoins } from '../../manager/broker/pending-joins.js';
import { Cluster } from '../../manager/cluster.js';
import { Inventory } from '../../manager/inventory/inventory.js';
import { systemClock } from '../../manager/options.js';
import { ensureClusterIdentity } from '../../manager/store/cluster-identity.js';
import { Store } from '../../manager/store/store.js';
import { MANAGER_MQTT_USERNAME } from '../../shared/credentials.js';
import { silentLogger } from '../../shared/logger.js';
import { nodeFacts } from '../../shared/payloads/facts.js';
import { REPO_ROOT, spawnKelvin } from '../helpers/cli.js';

const MANAGER_SECRET = 'manager-secret-for-agent-test';
let dir: string;
let store: Store;
let cluster: Cluster;
let broker: EmbeddedBroker;
let manager: MqttClient;
const pending = new PendingJoins();
const received: Array<{ topic: string; json: unknown }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-agent-aedes-'));
  store = Store.open(join(dir, 'kelvin.db'));
  ensureClusterIdentity(store, dir, Date.now());
  cluster = new Cluster(store, systemClock);
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, store, managerSecret: MANAGER_SECRET, pending, logger: silentLogger(), tls: null });
  manager = await connectAsync(broker.url, { username: MANAGER_MQTT_USERNAME, password: MANAGER_SECRET, reconnectPeriod: 0 });
  manager.on('message', (topic, payload) => received.push({ topic, json: JSON.parse(payload.toString()) }));
  // The manager's side of joining: the node is registered on its first report.
  const inventory = new Inventory({ store, clock: systemClock, nodeTimeoutMs: 60_000, localAgentNodeId: null, logger: silentLogger(), admit: (id) => pending.admit(id) });
  const router = new InboundRouter(silentLogger());
  router.add((m) => inventory.handle(m));
  manager.on('message', (topic, payload) => router.route(topic, payload));
  await manager.subscribeAsync('kelvin/v1/nodes/#');
});

afterAll(async () => {
  await manager?.endAsync(true);
  await broker?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function runAgent(stateDir: string, token: string): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawnKelvin(['agent', '--broker', broker.url, '--state-dir', stateDir, '--host-root', join(REPO_ROOT, 'test/fixtures/boards/jetson-orin')], {
    env: { ...process.env, KELVIN_JOIN_TOKEN: token },
  });
  return { child, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function until<T>(find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('kelvin agent against the embedded aedes broker', () => {
  it('joins with the join token, comes back on its secret alone, and its facts and status reach the manager', async () => {
    const stateDir = join(dir, 'state');
    const first = runAgent(stateDir, cluster.joinToken());
    const nodeId = await until(() => readNodeId(stateDir) ?? undefined);
    const facts = await until(() => received.find((m) => m.topic === `kelvin/v1/nodes/${nodeId}/facts`));
    expect(nodeFacts.parse(facts.json).board.profile).toMatch(/orin/);
    await until(() => store.getNode(nodeId) ?? undefined);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await until(() => received.find((m) => m.topic.endsWith(`${nodeId}/status`) && (m.json as { clean: boolean; state: string }).state === 'offline'));

    // The join token rotated since: the registered node is still let in on its own secret.
    cluster.rotateJoinToken();
    received.length = 0;
    const again = runAgent(stateDir, 'KLV-stale-token');
    const online = await until(() => received.find((m) => m.topic === `kelvin/v1/nodes/${nodeId}/status`));
    expect(online.json).toMatchObject({ state: 'online' });
    await until(() => received.find((m) => m.topic === `kelvin/v1/nodes/${nodeId}/telemetry`));
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });
});
