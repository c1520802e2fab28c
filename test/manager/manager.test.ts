import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caDigest } from '../../shared/join-token.js';
import { silentLogger } from '../../shared/logger.js';
import { startManager, type RunningManager } from '../../manager/manager.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { freePort } from '../helpers/mosquitto.js';
import { factsFor, spec } from './orchestrator/harness.js';
import { eventually, SimulatedBoard } from './broker/broker-client.js';

let dataDir: string;
let port: number;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kelvin-manager-'));
  port = await freePort();
});

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<RunningManager> {
  const m = await startManager({ dataDir, mqttHost: '127.0.0.1', mqttPort: port, insecureMqtt: true, nodeTimeoutMs: 3000 }, { logger: silentLogger() });
  cleanups.push(() => m.stop());
  return m;
}

async function joinBoard(m: RunningManager, id: string, labels: Record<string, string> = {}): Promise<SimulatedBoard> {
  const board = await SimulatedBoard.connect(m.mqttUrl, id, m.cluster.joinToken(), `${id}-secret`, factsFor(id, { labels }));
  cleanups.push(() => board.close());
  return board;
}

/** The manager in its own process (built dist/), so it can be killed with SIGKILL. */
async function startChildManager(): Promise<ChildProcess> {
  const script = join(dataDir, 'child.mjs');
  writeFileSync(
    script,
    `import { startManager } from ${JSON.stringify(join(REPO_ROOT, 'dist/manager/manager.js'))};
     import { silentLogger } from ${JSON.stringify(join(REPO_ROOT, 'dist/shared/logger.js'))};
     await startManager({ dataDir: ${JSON.stringify(dataDir)}, mqttHost: '127.0.0.1', mqttPort: ${port}, insecureMqtt: true, nodeTimeoutMs: 3000 }, { logger: silentLogger() });
     process.stdout.write('ready\\n');
     setInterval(() => {}, 1000);`,
  );
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => void (child.exitCode === null && child.kill('SIGKILL')));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`child manager exited with ${code}`)));
  });
  return child;
}

describe('startManager', () => {
  it('creates the cluster identity with private files and runs a service on a joined board end to end', async () => {
    const m = await start();
    expect(statSync(join(dataDir, 'kelvin.db')).mode & 0o777).toBe(0o600);
    expect(statSync(m.adminTokenPath).mode & 0o777).toBe(0o600);
    const adminToken = readFileSync(m.adminTokenPath, 'utf8').trim();
    expect(m.cluster.verifyAdminToken(adminToken)).toBe(true);
    expect(m.cluster.verifyAdminToken(`${adminToken}x`)).toBe(false);
    expect(statSync(join(dataDir, 'tls', 'ca.key')).mode & 0o777).toBe(0o600);
    // The join token names the cluster CA, as Swarm's SWMTKN-1-<digest>-<secret> does.
    expect(m.cluster.joinToken()).toBe(`KLVN-1-${caDigest(readFileSync(join(dataDir, 'tls', 'ca.pem')))}-${m.cluster.joinToken().split('-').pop()}`);
    expect(m.cluster.joinToken()).toMatch(/^KLVN-1-[a-z2-7]{52}-[a-z2-7]{32}$/);

    const board = await joinBoard(m, 'jetson-1', { gpu: 'true' });
    await eventually(() => m.cluster.getNode('jetson-1').status === 'ready', 5000, 'node ready');
    expect(m.cluster.getNode('jetson-1-host').id).toBe('jetson-1'); // by hostname
    await eventually(() => m.cluster.telemetry('jetson-1')?.cpuTempC === 48.5, 5000, 'telemetry');

    m.cluster.createService(spec('infer', { placement: { constraints: ['node.labels.gpu==true'], preferences: [], maxReplicasPerNode: 0 } }));
    const set = await eventually(() => board.lastSet()?.tasks.length === 1 && board.lastSet(), 5000, 'desired set on the board');
    const taskId = set.tasks[0]?.id ?? '';
    board.report(taskId, 'running', set.generation);
    await eventually(() => m.cluster.getTask(taskId).state === 'running', 5000, 'task running');
    expect(() => m.cluster.createService(spec('infer'))).toThrow(/already exists/);
    expect(() => m.cluster.createService(spec('bad', { placement: { constraints: ['node.labels.gpu=true'], preferences: [], maxReplicasPerNode: 0 } }))).toThrow();
  });

  it('fails with one clear line when the MQTT port is taken', async () => {
    await start();
    const other = mkdtempSync(join(tmpdir(), 'kelvin-manager-2-'));
    cleanups.push(() => rmSync(other, { recursive: true, force: true }));
    await expect(startManager({ dataDir: other, mqttHost: '127.0.0.1', mqttPort: port, insecureMqtt: true }, { logger: silentLogger() })).rejects.toThrow(
      `cannot start the MQTT broker on 127.0.0.1:${port}: EADDRINUSE`,
    );
  });

  it('survives kill -9: services, tasks, labels, tokens kept; the same set is republished, nothing restarts', async () => {
    const first = await start();
    const joinToken = first.cluster.joinToken();
    const adminToken = readFileSync(first.adminTokenPath, 'utf8');
    const board = await joinBoard(first, 'pi-1');
    await eventually(() => first.cluster.getNode('pi-1').status === 'ready', 5000, 'node ready');
    first.cluster.updateNode('pi-1', { labelAdd: { zone: 'attic' } });
    first.cluster.createService(spec('web', { replicas: 2 }));
    const set = await eventually(() => board.lastSet()?.tasks.length === 2 && board.lastSet(), 5000, 'desired set');
    for (const t of set.tasks) board.report(t.id, 'running', set.generation);
    await eventually(() => first.cluster.listTasks({ service: 'web' }).every((t) => t.state === 'running'), 5000, 'tasks running');
    await first.stop();
    cleanups.pop();

    // Run it in a child process, let the board reconnect, and kill it without warning. Sets are
    // counted before each start: the board may reconnect and get its set while the manager is
    // still starting, before startManager returns.
    const setsBeforeChild = board.sets.length;
    const child = await startChildManager();
    await eventually(() => board.sets.length > setsBeforeChild, 5000, 'set republished by the child');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const setsBeforeRestart = board.sets.length;
    const again = await start();
    await eventually(() => board.client.connected && again.cluster.getNode('pi-1').status === 'ready', 8000, 'board back');
    const republished = await eventually(() => board.sets.length > setsBeforeRestart && board.lastSet(), 5000, 'set after restart');
    expect(republished.generation).toBe(set.generation);
    expect(republished.tasks.map((t) => t.id).sort()).toEqual(set.tasks.map((t) => t.id).sort());
    expect(again.cluster.joinToken()).toBe(joinToken);
    expect(readFileSync(again.adminTokenPath, 'utf8')).toBe(adminToken);
    expect(again.cluster.getNode('pi-1').labels).toEqual({ zone: 'attic' });
    const tasks = again.cluster.listTasks({ service: 'web' });
    expect(tasks.map((t) => [t.id, t.state, t.desiredState]).sort()).toEqual(set.tasks.map((t) => [t.id, 'running', 'running']).sort());
    expect(existsSync(join(dataDir, 'kelvin.db'))).toBe(true);
  });
});
