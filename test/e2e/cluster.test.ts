/**
 * A real cluster: the built `kelvin manager` (embedded broker, SQLite in a temp dir) and three
 * `kelvin agent`s on fixture boards (Pi 4, Jetson Orin, x86 with an NVIDIA GPU through the
 * stand-in nvidia-smi), driven by the `kelvin` client commands. Tasks use the process driver.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster } from '../helpers/cluster.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';

let cluster: TestCluster;
let pi4: WritableBoard;
const SERVICES = ['gpu', 'arm', 'everywhere', 'movable'];

const kelvin = (...args: string[]): Promise<string> => cluster.kelvin(...args);
const nodes = () => cluster.nodes();
const tasks = (service: string) => cluster.tasks(service);
const hostOf = () => cluster.hostnames();
const runningOn = (service: string) => cluster.runningOn(service);

beforeAll(async () => {
  cluster = await TestCluster.start();
  // The Pi 4 capture is hot (71.5 C) and under-voltage, either of which keeps a node from taking
  // work: cool and power it cleanly here.
  pi4 = writableBoard('rpi4');
  pi4.setTempC(55);
  pi4.setUnderVoltage(false);
  cluster.startAgent('pi4', pi4.root);
  cluster.startAgent('orin', boardRoot('jetson-orin'));
  cluster.startAgent('gpubox', boardRoot('x86-nvidia'), { nvidiaSmi: true });
  await cluster.waitForReadyNodes(3);
}, 60_000);

afterAll(async () => {
  await cluster?.stop(SERVICES);
  pi4?.remove();
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
    await kelvin('service', 'create', '--name', 'gpu', '--replicas', '4', '--constraint', 'node.labels.gpu==true', '--', ...cluster.loop('gpu'));
    await expect.poll(() => runningOn('gpu'), { timeout: 15_000 }).toHaveLength(4);
    expect(new Set(await runningOn('gpu'))).toEqual(new Set(['gpubox', 'orin']));
  });

  it('places node.platform.arch==arm64 only on the Pi and the Orin', async () => {
    await kelvin('service', 'create', '--name', 'arm', '--replicas', '4', '--constraint', 'node.platform.arch==arm64', '--', ...cluster.loop('arm'));
    await expect.poll(() => runningOn('arm'), { timeout: 15_000 }).toHaveLength(4);
    expect(new Set(await runningOn('arm'))).toEqual(new Set(['orin', 'pi4']));
  });

  it('runs a global service once per node, and fetches its lines with service logs', async () => {
    await kelvin('service', 'create', '--name', 'everywhere', '--mode', 'global', '--', ...cluster.loop('everywhere'));
    await expect.poll(() => runningOn('everywhere'), { timeout: 15_000 }).toEqual(['gpubox', 'orin', 'pi4']);
    const ids = (await tasks('everywhere')).map((t) => t.id.slice(0, 12));
    await expect.poll(async () => kelvin('service', 'logs', 'everywhere'), { timeout: 10_000 }).toMatch(/ \| tick/);
    const lines = (await kelvin('service', 'logs', 'everywhere', '--tail', '1')).trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ([a-z0-9]{12}) \| (tick|started)$/);
    expect(new Set(lines.map((l) => l.split(' ')[1]))).toEqual(new Set(ids));
  });

  it('refuses a stack file with an error, naming its path and line, and deploys nothing', async () => {
    const file = join(cluster.dir, 'stack.yml');
    writeFileSync(file, 'services:\n  web:\n    command: ["/bin/true"]\n    deploy:\n      replicas: many\n');
    const r = await runKelvin(['stack', 'deploy', '-c', file, 'bad'], { env: cluster.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/services\.web\.deploy\.replicas: .*\(line 5\)/);
    expect(r.stderr).toMatch(/nothing was deployed/);
    expect(await kelvin('stack', 'ls', '--json')).not.toMatch(/"bad"/);
  });

  it('refuses a client without a valid token', async () => {
    const r = await runKelvin(['node', 'ls'], { env: { ...cluster.env, KELVIN_TOKEN: 'wrong' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kelvin: invalid admin token/);
  });

  it('moves tasks off a drained node', async () => {
    await kelvin('service', 'create', '--name', 'movable', '--replicas', '2', '--constraint', 'node.platform.arch==arm64', '--', ...cluster.loop('movable'));
    await expect.poll(() => runningOn('movable'), { timeout: 15_000 }).toHaveLength(2);
    await kelvin('node', 'update', '--availability', 'drain', 'pi4');
    await expect.poll(() => runningOn('movable'), { timeout: 20_000 }).toEqual(['orin', 'orin']);
    await kelvin('node', 'update', '--availability', 'active', 'pi4');
  });

  it('reschedules the tasks of an agent killed with SIGKILL', async () => {
    await cluster.killAgent('orin');
    await expect.poll(async () => (await nodes()).find((n) => n.hostname === 'orin')?.status, { timeout: 15_000 }).toBe('down');
    // The Pi is the only arm64 node left.
    await expect.poll(() => runningOn('movable'), { timeout: 20_000 }).toEqual(['pi4', 'pi4']);
  });

  it('keeps services, tasks, labels and tokens across a manager kill -9 and restart, without restarting tasks', async () => {
    await kelvin('node', 'update', '--label-add', 'zone=north', 'pi4');
    const before = (await tasks('everywhere')).filter((t) => t.state === 'running');
    const token = await kelvin('join-token', '-q');
    const manager = cluster.manager;
    const exited = new Promise((r) => manager?.once('exit', r));
    manager?.kill('SIGKILL');
    await exited;
    await cluster.startManager();
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
