/**
 * Boards leaving the cluster (issue 10, item 7), with the built manager and agents as real
 * processes: `kelvin node rm --force` on a live board evicts it for good (its tasks stop, its
 * credential is refused, it does not come back, not even after an agent restart), and
 * `kelvin agent leave` takes a board out cleanly, whether its agent is running or not, after which
 * the next `kelvin agent` joins as a new node.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMqttPassword, nodeClientId } from '../../shared/credentials.js';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { TestCluster } from '../helpers/cluster.js';

const SERVICES = ['evicted', 'leaver'];
const BOARD = boardRoot('x86-intel');
let cluster: TestCluster;

const hostnames = async (): Promise<string[]> => (await cluster.nodes()).map((n) => n.hostname).sort();
const nodeIdOf = (name: string): string => readFileSync(join(cluster.stateDir(name), 'node-id'), 'utf8').trim();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  cluster = await TestCluster.start();
}, 60_000);

afterAll(async () => {
  await cluster?.stop(SERVICES);
}, 30_000);

describe('kelvin node rm --force on a live board', () => {
  it('stops its tasks, refuses its credential and keeps it out, even after its agent restarts', async () => {
    cluster.startAgent('evictee', BOARD, { logLevel: 'info' });
    await cluster.waitForReadyNodes(1);
    await cluster.kelvin('service', 'create', '--name', 'evicted', '--', ...cluster.loop('evicted'));
    await expect.poll(() => cluster.runningOn('evicted'), { timeout: 20_000 }).toEqual(['evictee']);
    const nodeId = nodeIdOf('evictee');

    await expect(cluster.kelvin('node', 'rm', 'evictee')).rejects.toThrow(/is ready; drain and stop its agent first, or remove it with --force/);
    await cluster.kelvin('node', 'rm', '--force', 'evictee');

    await expect.poll(() => cluster.processesOf('evicted'), { timeout: 20_000 }).toEqual([]);
    await expect.poll(() => cluster.agentLogs.get('evictee') ?? '', { timeout: 10_000 }).toContain('this node was removed from the cluster');
    const agent = cluster.agents.get('evictee');
    expect(agent?.exitCode).toBeNull(); // idle, not crash-looping under a service manager

    // The old credential is refused at the broker.
    const secret = readFileSync(join(cluster.stateDir('evictee'), 'node-secret'), 'utf8').trim();
    const password = formatMqttPassword({ joinToken: cluster.joinToken, nodeSecret: secret });
    const ca = readFileSync(join(cluster.dataDir, 'tls', 'ca.pem'));
    await expect(connectAsync(`mqtts://127.0.0.1:${cluster.mqttPort}`, { username: nodeId, password, clientId: nodeClientId(nodeId), reconnectPeriod: 0, connectTimeout: 5000, ca })).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );

    // It does not come back, not even when its agent is restarted.
    await cluster.killAgent('evictee');
    cluster.startAgent('evictee', BOARD, { logLevel: 'info' });
    await sleep(5000);
    expect(await hostnames()).not.toContain('evictee');
    const events = JSON.parse(await cluster.kelvin('events', '--json')) as Array<{ kind: string; subject: string }>;
    const kinds = events.filter((e) => e.subject === nodeId).map((e) => e.kind);
    expect(kinds.slice(kinds.indexOf('node.remove'))).toEqual(['node.remove']);
    await cluster.killAgent('evictee');
  }, 120_000);
});

describe('kelvin agent leave', () => {
  it('takes the board out (tasks stopped, node gone, identity forgotten); the next agent joins as a new node', async () => {
    cluster.startAgent('leaver', BOARD);
    await cluster.waitForReadyNodes(1);
    await cluster.kelvin('service', 'create', '--name', 'leaver', '--', ...cluster.loop('leaver', { ignoreHangup: true }));
    await expect.poll(() => cluster.runningOn('leaver'), { timeout: 20_000 }).toEqual(['leaver']);
    const firstId = nodeIdOf('leaver');

    // Beside a running agent: it does the leaving.
    const left = await cluster.leave('leaver', BOARD);
    expect(left.stderr).toBe('');
    expect(left.code).toBe(0);
    expect(left.stdout).toContain(`Node ${firstId} left the cluster`);
    expect(cluster.processesOf('leaver')).toEqual([]);
    expect(await hostnames()).toEqual([]);
    expect(existsSync(join(cluster.stateDir('leaver'), 'node-id'))).toBe(false);
    const events = JSON.parse(await cluster.kelvin('events', '--json')) as Array<{ kind: string; subject: string }>;
    expect(events).toContainEqual(expect.objectContaining({ kind: 'node.leave', subject: firstId }));

    // Joining again makes a new node, which takes the service's task.
    await cluster.killAgent('leaver');
    cluster.startAgent('leaver', BOARD);
    await cluster.waitForReadyNodes(1);
    const secondId = nodeIdOf('leaver');
    expect(secondId).not.toBe(firstId);
    await expect.poll(() => cluster.runningOn('leaver'), { timeout: 20_000 }).toEqual(['leaver']);

    // With no agent running (killed; its task survives it): leave runs the agent just long enough.
    await cluster.killAgent('leaver');
    expect(cluster.processesOf('leaver').length).toBeGreaterThan(0);
    const again = await cluster.leave('leaver', BOARD);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Node ${secondId} left the cluster`);
    expect(cluster.processesOf('leaver')).toEqual([]);
    expect(await hostnames()).toEqual([]);

    const notMember = await cluster.leave('leaver', BOARD);
    expect(notMember.code).toBe(1);
    expect(notMember.stderr).toMatch(/^kelvin: this board is not part of a cluster \(no node identity in /);
  }, 180_000);
});
