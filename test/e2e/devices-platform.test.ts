/**
 * Hardware and image platforms across a real cluster: the built manager and two agents on fixture
 * boards (a Pi 4, arm64, whose `dev/` has a serial adapter, and an x86 box), the real Docker engine
 * for container tasks. A device pins work to the board that has it and moves it when unplugged;
 * an image built for another architecture is rejected with the platforms named and runs on the
 * board that fits; an image whose registry index lists only linux/arm64 (a real local registry)
 * is rejected on the x86 board before any pull and offered only to the arm64 one; a stack's
 * capabilities and named volume reach the container.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBoard } from '../agent/sensors/fixture-boards.js';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster } from '../helpers/cluster.js';
import { hasDocker, hasRegistry, TEST_IMAGE } from '../helpers/requirements.js';
import { pushIndex, startRegistry, type RunningRegistry } from '../helpers/local-registry.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';

const SERVICES = ['serial', 'hailo', 'fits', 'armonly'];
let cluster: TestCluster;
let pi4: WritableBoard;
let x86: { root: string; remove(): void };

const kelvin = (...args: string[]): Promise<string> => cluster.kelvin(...args);
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', timeout: 20_000 }).trim();

beforeAll(async () => {
  cluster = await TestCluster.start();
  pi4 = writableBoard('rpi4');
  pi4.setTempC(55);
  pi4.setUnderVoltage(false);
  x86 = copyBoard('x86-intel');
  const args = ['--facts-interval', '1s'];
  cluster.startAgent('pi4', pi4.root, { extraArgs: args });
  cluster.startAgent('x86', x86.root, { extraArgs: args });
  await cluster.waitForReadyNodes(2);
}, 60_000);

afterAll(async () => {
  const nodeIds = (await cluster?.nodes().catch(() => []))?.map((n) => n.id) ?? [];
  await cluster?.kelvin('stack', 'rm', 'hw').catch(() => undefined);
  await cluster?.stop(SERVICES);
  // Agents leave containers running when they stop (an agent restart must not kill work).
  for (const id of nodeIds) {
    const left = hasDocker ? docker('ps', '-aq', '--filter', `label=io.kelvin.node.id=${id}`) : '';
    if (left !== '') docker('rm', '-f', ...left.split('\n'));
  }
  pi4?.remove();
  x86?.remove();
  if (hasDocker) execFileSync('docker', ['volume', 'rm', '-f', 'hw_data'], { stdio: 'ignore' });
}, 30_000);

describe('devices', () => {
  it('places a service that maps a device only on the board that has it', async () => {
    await kelvin('service', 'create', '--name', 'serial', '--replicas', '2', '--device', '/dev/ttyUSB0', '--', ...cluster.loop('serial'));
    await expect.poll(() => cluster.runningOn('serial'), { timeout: 20_000 }).toEqual(['pi4', 'pi4']);
  });

  it('leaves a task pending, saying which device no node has', async () => {
    await kelvin('service', 'create', '--name', 'hailo', '--device', '/dev/hailo0', '--', ...cluster.loop('hailo'));
    await expect.poll(async () => (await cluster.tasks('hailo')).map((t) => [t.state, t.message]), { timeout: 15_000 }).toEqual([
      ['pending', 'no suitable node (no node has /dev/hailo0 (2 nodes))'],
    ]);
  });

  it('moves the tasks to the board the device went to, with an event', async () => {
    mkdirSync(join(x86.root, 'dev'), { recursive: true });
    writeFileSync(join(x86.root, 'dev', 'ttyUSB0'), '');
    rmSync(join(pi4.root, 'dev', 'ttyUSB0'));
    await expect.poll(() => cluster.runningOn('serial'), { timeout: 30_000 }).toEqual(['x86', 'x86']);
    expect(await kelvin('events')).toMatch(/task \S+ of serial moves off node \S+: node pi4 no longer has \/dev\/ttyUSB0/);
  });
});

describe.skipIf(!hasDocker)('container tasks on the Docker engine', () => {
  it('rejects an image built for another architecture with both platforms named, and runs it on the board that fits', async () => {
    const imageArch = docker('image', 'inspect', '--format', '{{.Architecture}}', TEST_IMAGE);
    const fits = imageArch === 'arm64' ? 'pi4' : 'x86';
    const other = fits === 'pi4' ? 'x86' : 'pi4';
    const otherPlatform = other === 'pi4' ? 'linux/arm64' : 'linux/amd64';
    await kelvin('service', 'create', '--name', 'fits', '--replicas', '2', '--max-replicas-per-node', '1', TEST_IMAGE, 'sleep', '600');
    await expect.poll(() => cluster.runningOn('fits'), { timeout: 30_000 }).toEqual([fits]);
    const hosts = await cluster.hostnames();
    const tasks = async () => (await cluster.tasks('fits')).map((t) => ({ ...t, host: hosts.get(t.nodeId ?? '') }));
    await expect.poll(async () => (await tasks()).find((t) => t.state === 'rejected')?.error, { timeout: 20_000 }).toBe(
      `image ${TEST_IMAGE} is linux/${imageArch}, this board is ${otherPlatform}`,
    );
    expect((await tasks()).filter((t) => t.state === 'rejected').map((t) => t.host)).toEqual([other]);
    // Restarted, the task is not offered to that architecture again.
    await expect.poll(async () => (await tasks()).find((t) => t.state === 'pending')?.message ?? '', { timeout: 20_000 }).toContain('unsupported platform on 1 node');
  });

  describe.skipIf(!hasRegistry())('with an image from a real registry', () => {
    let registry: RunningRegistry;
    beforeAll(async () => {
      registry = await startRegistry();
    }, 20_000);
    afterAll(() => registry?.stop());

    it('rejects, before pulling, an image whose index lacks the board platform, naming the one it has, and offers it only to the arm64 board', async () => {
      const image = await pushIndex(registry, 'kelvin/armonly', '1', [{ os: 'linux', architecture: 'arm64' }]);
      await kelvin('service', 'create', '--name', 'armonly', '--replicas', '2', '--max-replicas-per-node', '1', image);
      const hosts = await cluster.hostnames();
      const tasks = async () => (await cluster.tasks('armonly')).map((t) => ({ ...t, host: hosts.get(t.nodeId ?? '') }));
      // Only the manifest list can name linux/arm64 here: a pull on this amd64 engine finds no image to inspect.
      await expect.poll(async () => (await tasks()).find((t) => t.host === 'x86' && t.state === 'rejected')?.error, { timeout: 30_000 }).toBe(
        `image ${image} is linux/arm64, this board is linux/amd64`,
      );
      // Both slots go to the arm64 board from then on (its pulls fail on this amd64 engine, so its
      // tasks end and are replaced there): only where they went is asserted, not that they run.
      await expect.poll(async () => (await tasks()).filter((t) => t.host === 'pi4').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
      expect((await tasks()).filter((t) => t.host === 'x86').map((t) => t.state)).toEqual(['rejected']);
    });
  });

  it('deploys a stack whose capabilities and named volume reach the container, printing the warning count last', async () => {
    const arch = docker('image', 'inspect', '--format', '{{.Architecture}}', TEST_IMAGE);
    const file = join(cluster.dir, 'hw.yml');
    writeFileSync(
      file,
      [
        'services:',
        '  gw:',
        `    image: ${TEST_IMAGE}`,
        '    command: ["sh", "-c", "echo hello > /data/greeting; sleep 600"]',
        '    cap_add: [NET_ADMIN]',
        '    volumes: [data:/data]',
        '    container_name: gw',
        '    deploy:',
        `      placement: { constraints: ["node.platform.arch==${arch}"] }`,
        'volumes:',
        '  data:',
        '',
      ].join('\n'),
    );
    const r = await runKelvin(['stack', 'deploy', '-c', file, 'hw'], { env: cluster.env });
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual(['warning: services.gw.container_name: ignored: Kelvin does not act on this key (line 7)', '1 warning (listed above)']);
    await expect.poll(() => cluster.runningOn('hw_gw'), { timeout: 30_000 }).toHaveLength(1);
    const [id] = docker('ps', '-q', '--filter', 'label=io.kelvin.service.name=hw_gw').split('\n');
    const inspected = JSON.parse(docker('inspect', id ?? '')) as Array<{ HostConfig: { CapAdd: string[] }; Mounts: Array<{ Type: string; Name: string; Destination: string }> }>;
    expect(inspected[0]?.HostConfig.CapAdd).toEqual(['NET_ADMIN']);
    expect(inspected[0]?.Mounts).toMatchObject([{ Type: 'volume', Name: 'hw_data', Destination: '/data' }]);
    await expect.poll(() => docker('exec', id ?? '', 'cat', '/data/greeting'), { timeout: 10_000 }).toBe('hello');
  });
});
