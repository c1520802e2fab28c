/**
 * A real cluster: the built `kelvin manager` (embedded broker, SQLite in a temp dir) and three
 * `kelvin agent`s on fixture boards (Pi 4, Jetson Orin, x86 with an NVIDIA GPU through the
 * stand-in nvidia-smi), driven by the `kelvin` client commands. Tasks use the process driver.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeView, TaskView } from '../../manager/api/views.js';
import { boardRoot, fixtureEnv } from '../agent/sensors/fixture-boards.js';
import { runKelvin, spawnKelvin } from '../helpers/cli.js';
import { freePort } from '../helpers/mosquitto.js';

const dir = mkdtempSync(join(tmpdir(), 'kelvin-e2e-'));
const dataDir = join(dir, 'manager');
let mqttPort = 0;
let httpPort = 0;
let manager: ChildProcess | null = null;
const agents = new Map<string, ChildProcess>();
let env: NodeJS.ProcessEnv = {};

/** Every task's shell carries this marker as $0, so leftovers can be found and ended after the run. */
const MARKER = `kelvin-e2e-${process.pid}`;
const LOOP = ['/bin/sh', '-c', 'echo started; while true; do echo tick; sleep 1; done', MARKER];

function startManager(): ChildProcess {
  return spawnKelvin(
    ['manager', '--data-dir', dataDir, '--mqtt-port', String(mqttPort), '--mqtt-host', '127.0.0.1', '--http', `127.0.0.1:${httpPort}`, '--node-timeout', '2s', '--no-agent'],
    { env: { ...process.env, KELVIN_LOG_LEVEL: 'warn' } },
  );
}

function startAgent(name: string, board: string, nvidiaSmi = false): void {
  const token = readFileSync(join(dir, 'join-token'), 'utf8').trim();
  agents.set(
    name,
    spawnKelvin(
      ['agent', '--broker', `mqtt://127.0.0.1:${mqttPort}`, '--token', token, '--state-dir', join(dir, name), '--host-root', boardRoot(board), '--name', name, '--interval', '500ms', '--keepalive', '2s'],
      { env: { ...fixtureEnv(boardRoot(board), { nvidiaSmi }), KELVIN_LOG_LEVEL: 'warn' } },
    ),
  );
}

async function kelvin(...args: string[]): Promise<string> {
  const r = await runKelvin(args, { env });
  if (r.code !== 0) throw new Error(`kelvin ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const nodes = async (): Promise<NodeView[]> => JSON.parse(await kelvin('node', 'ls', '--json')) as NodeView[];
const tasks = async (service: string): Promise<TaskView[]> => JSON.parse(await kelvin('service', 'ps', service, '--json')) as TaskView[];
const hostOf = async (): Promise<Map<string, string>> => new Map((await nodes()).map((n) => [n.id, n.hostname]));

/** Hostnames running the service's tasks now (desired running, state running), sorted. */
async function runningOn(service: string): Promise<string[]> {
  const names = await hostOf();
  return (await tasks(service))
    .filter((t) => t.desiredState === 'running' && t.state === 'running')
    .map((t) => names.get(t.nodeId ?? '') ?? '?')
    .sort();
}

/** Polls until `check` holds (hooks cannot use expect.poll). */
async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const waitForPort = (port: number): Promise<void> =>
  waitUntil(`the API on ${port}`, () => fetch(`http://127.0.0.1:${port}/`).then(() => true), 15_000);

function killLeftoverTasks(): void {
  for (const pid of readdirPids()) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(MARKER)) process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

function readdirPids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

beforeAll(async () => {
  mqttPort = await freePort();
  httpPort = await freePort();
  manager = startManager();
  await waitForPort(httpPort);
  env = { ...process.env, KELVIN_HOST: `http://127.0.0.1:${httpPort}`, KELVIN_TOKEN: readFileSync(join(dataDir, 'admin.token'), 'utf8').trim() };
  writeFileSync(join(dir, 'join-token'), await kelvin('join-token', '-q'));
  startAgent('pi4', 'rpi4');
  startAgent('orin', 'jetson-orin');
  startAgent('gpubox', 'x86-nvidia', true);
  await waitUntil('three ready nodes', async () => (await nodes()).filter((n) => n.status === 'ready' && n.platform !== null).length === 3, 20_000);
}, 60_000);

afterAll(async () => {
  for (const name of ['gpu', 'arm', 'everywhere', 'movable']) await runKelvin(['service', 'rm', name], { env });
  await new Promise((r) => setTimeout(r, 1500));
  for (const child of [...agents.values(), manager]) child?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  for (const child of [...agents.values(), manager]) if (child && child.exitCode === null) child.kill('SIGKILL');
  killLeftoverTasks();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('a manager and three agents on fixture boards', () => {
  it('lists the nodes with the fixed JSON fields', async () => {
    const list = await nodes();
    expect(list.map((n) => n.hostname).sort()).toEqual(['gpubox', 'orin', 'pi4']);
    for (const n of list) {
      expect(Object.keys(n)).toEqual(expect.arrayContaining(['id', 'hostname', 'role', 'status', 'availability', 'labels', 'platform', 'board', 'telemetry', 'tasks']));
      expect(n).toMatchObject({ role: 'worker', status: 'ready', availability: 'active', platform: { os: 'linux' } });
    }
    expect(list.find((n) => n.hostname === 'pi4')?.telemetry?.cpuTempC).toBeTypeOf('number');
  });

  it('places node.labels.gpu==true only on the GPU boards', async () => {
    await kelvin('service', 'create', '--name', 'gpu', '--replicas', '4', '--constraint', 'node.labels.gpu==true', '--', ...LOOP);
    await expect.poll(() => runningOn('gpu'), { timeout: 15_000 }).toHaveLength(4);
    expect(new Set(await runningOn('gpu'))).toEqual(new Set(['gpubox', 'orin']));
  });

  it('places node.platform.arch==arm64 only on the Pi and the Orin', async () => {
    await kelvin('service', 'create', '--name', 'arm', '--replicas', '4', '--constraint', 'node.platform.arch==arm64', '--', ...LOOP);
    await expect.poll(() => runningOn('arm'), { timeout: 15_000 }).toHaveLength(4);
    expect(new Set(await runningOn('arm'))).toEqual(new Set(['orin', 'pi4']));
  });

  it('runs a global service once per node, and fetches its lines with service logs', async () => {
    await kelvin('service', 'create', '--name', 'everywhere', '--mode', 'global', '--', ...LOOP);
    await expect.poll(() => runningOn('everywhere'), { timeout: 15_000 }).toEqual(['gpubox', 'orin', 'pi4']);
    const ids = (await tasks('everywhere')).map((t) => t.id.slice(0, 12));
    await expect.poll(async () => kelvin('service', 'logs', 'everywhere'), { timeout: 10_000 }).toMatch(/ \| tick/);
    const lines = (await kelvin('service', 'logs', 'everywhere', '--tail', '1')).trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ([a-z0-9]{12}) \| (tick|started)$/);
    expect(new Set(lines.map((l) => l.split(' ')[1]))).toEqual(new Set(ids));
  });

  it('refuses a stack file with an error, naming its path and line, and deploys nothing', async () => {
    const file = join(dir, 'stack.yml');
    writeFileSync(file, 'services:\n  web:\n    command: ["/bin/true"]\n    deploy:\n      replicas: many\n');
    const r = await runKelvin(['stack', 'deploy', '-c', file, 'bad'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/services\.web\.deploy\.replicas: .*\(line 5\)/);
    expect(r.stderr).toMatch(/nothing was deployed/);
    expect(await kelvin('stack', 'ls', '--json')).not.toMatch(/"bad"/);
  });

  it('refuses a client without a valid token', async () => {
    const r = await runKelvin(['node', 'ls'], { env: { ...env, KELVIN_TOKEN: 'wrong' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kelvin: invalid admin token/);
  });

  it('moves tasks off a drained node', async () => {
    await kelvin('service', 'create', '--name', 'movable', '--replicas', '2', '--constraint', 'node.platform.arch==arm64', '--', ...LOOP);
    await expect.poll(() => runningOn('movable'), { timeout: 15_000 }).toHaveLength(2);
    await kelvin('node', 'update', '--availability', 'drain', 'pi4');
    await expect.poll(() => runningOn('movable'), { timeout: 20_000 }).toEqual(['orin', 'orin']);
    await kelvin('node', 'update', '--availability', 'active', 'pi4');
  });

  it('reschedules the tasks of an agent killed with SIGKILL', async () => {
    agents.get('orin')?.kill('SIGKILL');
    await expect.poll(async () => (await nodes()).find((n) => n.hostname === 'orin')?.status, { timeout: 15_000 }).toBe('down');
    // The Pi is the only arm64 node left.
    await expect.poll(() => runningOn('movable'), { timeout: 20_000 }).toEqual(['pi4', 'pi4']);
  });

  it('keeps services, tasks, labels and tokens across a manager kill -9 and restart, without restarting tasks', async () => {
    await kelvin('node', 'update', '--label-add', 'zone=north', 'pi4');
    const before = (await tasks('everywhere')).filter((t) => t.state === 'running');
    const token = await kelvin('join-token', '-q');
    manager?.kill('SIGKILL');
    await new Promise((r) => manager?.once('exit', r));
    manager = startManager();
    await waitForPort(httpPort);
    expect(await kelvin('join-token', '-q')).toBe(token);
    expect((await nodes()).find((n) => n.hostname === 'pi4')?.labels.zone).toBe('north');
    expect((await kelvin('service', 'ls', '--json')).includes('"everywhere"')).toBe(true);
    await new Promise((r) => setTimeout(r, 2000));
    const after = await tasks('everywhere');
    for (const t of before) {
      if ((await hostOf()).get(t.nodeId ?? '') === 'orin') continue; // that agent is dead
      expect(after.find((a) => a.id === t.id)).toMatchObject({ state: 'running', desiredState: 'running' });
    }
  });
});
