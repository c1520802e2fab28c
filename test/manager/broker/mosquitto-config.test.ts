import type { MqttClient } from 'mqtt';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMqttPassword, MANAGER_MQTT_USERNAME } from '../../../shared/credentials.js';
import { nodeTopic } from '../../../shared/topics.js';
import { hashSecret, mosquittoPasswordHash } from '../../../manager/broker/secrets.js';
import { mosquittoConfigFromStore } from '../../../manager/broker/mosquitto-config.js';
import { MAX_MANAGER_PACKET_BYTES } from '../../../manager/broker/packet-limit.js';
import { ensureClusterIdentity } from '../../../manager/store/cluster-identity.js';
import { Store } from '../../../manager/store/store.js';
import { startMosquitto, type RunningBroker } from '../../helpers/mosquitto.js';
import { hasMosquitto } from '../../helpers/requirements.js';
import mqtt from 'mqtt';
import { closed, collect, connectAs, sleep, subscribeGranted } from './broker-client.js';

describe.skipIf(!hasMosquitto)('brokerConfigMosquitto with a real Mosquitto', () => {
  let dir: string;
  let mosquitto: RunningBroker;
  let manager: MqttClient;
  let nodePassword: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kelvin-mosq-conf-'));
    const store = Store.open(join(dir, 'kelvin.db'));
    const { cluster } = ensureClusterIdentity(store, dir, Date.now());
    nodePassword = formatMqttPassword({ joinToken: cluster.joinToken, nodeSecret: 'pi-secret' });
    // The node joined once (as on the embedded broker), which recorded its Mosquitto hash.
    store.registerNode('pi-1', { secretHash: hashSecret('pi-secret'), mosquittoHash: mosquittoPasswordHash(nodePassword) }, 'worker');
    const conf = mosquittoConfigFromStore(store);
    store.close();
    // Readable by all: Mosquitto started as root drops to its own user before reading them.
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'passwd'), conf.passwordFile, { mode: 0o644 });
    writeFileSync(join(dir, 'acl'), conf.aclFile, { mode: 0o644 });
    const snippet = conf.confSnippet({ passwordFile: join(dir, 'passwd'), aclFile: join(dir, 'acl') });
    mosquitto = await startMosquitto(snippet.split('\n').filter((l) => l && !l.startsWith('allow_anonymous')));
    manager = await connectAs(mosquitto.url, MANAGER_MQTT_USERNAME, cluster.brokerSecret);
    await manager.subscribeAsync('kelvin/v1/nodes/#');
  });

  afterAll(async () => {
    await Promise.all([manager, ...clients].map((c) => c?.endAsync(true)));
    await mosquitto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the joined node with its password and nobody with a wrong one', async () => {
    clients.push(await connectAs(mosquitto.url, 'pi-1', nodePassword));
    await expect(connectAs(mosquitto.url, 'pi-1', `${nodePassword}x`)).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(connectAs(mosquitto.url, 'pi-2', nodePassword)).rejects.toThrow(/Bad username or password|Not authorized/i);
  });

  it('lets the node publish only on its own topics and read only its own tasks', async () => {
    const seen = collect(manager);
    const pi = await connectAs(mosquitto.url, 'pi-1', nodePassword);
    clients.push(pi);
    const own = collect(pi);
    // Mosquitto 2.0 grants every SUBSCRIBE and applies read rules at delivery.
    await subscribeGranted(pi, [nodeTopic('pi-1', 'tasks'), nodeTopic('pi-2', 'tasks')]);
    await pi.publishAsync(nodeTopic('pi-2', 'telemetry'), 'forged', { qos: 1 });
    await pi.publishAsync(nodeTopic('pi-1', 'tasks'), 'self-assigned', { qos: 1 });
    await pi.publishAsync(nodeTopic('pi-1', 'telemetry'), 'real', { qos: 1 });
    expect(await seen.waitFor(nodeTopic('pi-1', 'telemetry'))).toBe('real');
    await manager.publishAsync(nodeTopic('pi-2', 'tasks'), 'not yours', { qos: 1 });
    await manager.publishAsync(nodeTopic('pi-1', 'tasks'), 'yours', { qos: 1 });
    expect(await own.waitFor(nodeTopic('pi-1', 'tasks'))).toBe('yours');
    await sleep(200);
    expect(seen.messages.map((m) => m.topic)).not.toContain(nodeTopic('pi-2', 'telemetry'));
    expect(seen.messages.map((m) => m.payload)).not.toContain('self-assigned');
    expect(own.messages.map((m) => m.payload)).toEqual(['yours']);
  });

  it('closes a client whose packet is over the wire limit, and takes the client id from the account', async () => {
    const seen = collect(manager);
    const pi = await connectAs(mosquitto.url, 'pi-1', nodePassword);
    clients.push(pi);
    const gone = closed(pi, 5000);
    pi.publish(nodeTopic('pi-1', 'telemetry'), Buffer.alloc(MAX_MANAGER_PACKET_BYTES + 1, 'x'), { qos: 0 });
    expect(await gone).toBe(true);
    await sleep(200);
    expect(seen.messages.map((m) => m.topic)).not.toContain(nodeTopic('pi-1', 'telemetry'));
    // The id a client presents is replaced by its username: a board wearing the manager's client id kicks nobody.
    const disguised = await mqtt.connectAsync(mosquitto.url, { username: 'pi-1', password: nodePassword, clientId: MANAGER_MQTT_USERNAME, reconnectPeriod: 0 });
    clients.push(disguised);
    expect(await closed(manager, 500)).toBe(false);
  });
});
