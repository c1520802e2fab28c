/**
 * Attack: a second board joins (with the join token every board has) and reports the hostname of a
 * board already in the cluster. Work pinned with `--constraint node.hostname==<victim>`, and the
 * API key in its environment, must only ever reach the real board; `node ls`, `node inspect`, the
 * alerts and `service ps` show the conflict. Real manager, real MQTT clients, the built CLI.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer, type NodeView } from '../../manager/api/index.js';
import { startManager, type RunningManager } from '../../manager/manager.js';
import { silentLogger } from '../../shared/logger.js';
import { runKelvin } from '../helpers/cli.js';
import { eventually, sleep, SimulatedBoard } from '../manager/broker/broker-client.js';
import { factsFor } from '../manager/orchestrator/harness.js';

let dir: string;
let manager: RunningManager;
let api: ApiServer;
let victim: SimulatedBoard;
let impostor: SimulatedBoard;
let env: NodeJS.ProcessEnv;
const kelvin = (...args: string[]): ReturnType<typeof runKelvin> => runKelvin(args, { env });

const hasFacts = (id: string): boolean => (manager.store.getNode(id)?.facts ?? null) !== null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-spoof-'));
  manager = await startManager({ dataDir: dir, mqttHost: '127.0.0.1', mqttPort: 0, insecureMqtt: true, nodeTimeoutMs: 10_000 }, { logger: silentLogger() });
  api = await startApi(manager, { host: '127.0.0.1', port: 0, brokerUrl: manager.mqttUrl, logger: silentLogger() });
  env = { ...process.env, KELVIN_HOST: api.url, KELVIN_TOKEN: readFileSync(manager.adminTokenPath, 'utf8').trim() };
  const token = manager.cluster.joinToken();
  victim = await SimulatedBoard.connect(manager.mqttUrl, 'pi-1', token, 'pi-1-secret', factsFor('pi-1', { hostname: 'kitchen' }));
  await eventually(() => hasFacts('pi-1'), 10_000, 'the victim reported');
  impostor = await SimulatedBoard.connect(manager.mqttUrl, 'evil', token, 'evil-secret', factsFor('evil', { hostname: 'Kitchen' }));
  await eventually(() => hasFacts('evil'), 10_000, 'the impostor reported');
});

afterAll(async () => {
  await impostor?.close();
  await victim?.close();
  await api?.close();
  await manager?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a board reporting another board\'s hostname', () => {
  it('never receives the work pinned to that hostname, nor its secrets', async () => {
    const created = await kelvin('service', 'create', '--name', 'pinned', '--replicas', '3', '--constraint', 'node.hostname==kitchen', '--env', 'API_KEY=s3cret-key', '--', '/bin/sleep', '600');
    expect(created.code).toBe(0);
    await eventually(() => victim.lastSet()?.tasks.length === 3, 10_000, 'the pinned tasks on the real board');
    await sleep(1500); // room for a wrong placement or a late desired set to arrive
    expect(impostor.sets.every((s) => s.tasks.length === 0)).toBe(true);
    expect(JSON.stringify(impostor.sets)).not.toContain('s3cret-key');
    expect(manager.store.listTasks({ nodeId: 'evil' })).toEqual([]);
  });

  it('is marked in node ls, node inspect and the API, and raised as an alert', async () => {
    const table = (await kelvin('node', 'ls')).stdout.split('\n');
    expect(table.find((r) => r.startsWith('evil'))).toContain('Kitchen (hostname conflict with pi-1)');
    expect(table.find((r) => r.startsWith('pi-1'))).not.toContain('conflict');
    const listed = JSON.parse((await kelvin('node', 'ls', '--json')).stdout) as NodeView[];
    expect(listed.map((n) => [n.id, n.hostnameConflict])).toEqual([
      ['evil', 'pi-1'],
      ['pi-1', null],
    ]);
    expect((await kelvin('node', 'inspect', '--pretty', 'evil')).stdout).toContain('Hostname:      Kitchen (hostname conflict with pi-1)');
    const alerts = manager.alerts.list({ kind: 'node.hostname-conflict' });
    expect(alerts.map((a) => [a.nodeId, a.severity, a.details])).toEqual([['evil', 'warning', { hostname: 'Kitchen', holder: 'pi-1' }]]);
  });

  it('service ps tells nodes that share a hostname apart by their id', async () => {
    const ps = (await kelvin('service', 'ps', 'pinned')).stdout;
    expect(ps.split('\n').filter((r) => r.includes('kitchen (pi-1)'))).toHaveLength(3);
  });
});
