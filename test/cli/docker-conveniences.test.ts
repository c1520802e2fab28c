/**
 * The docker conveniences on a real cluster: a manager whose local agent reads the Jetson Orin
 * fixture, and an agent on a Pi 4 made hot and under-voltage. `-q`, `--filter`, `--format` on the
 * lists, `node ps`, several services in `service ps`, generated names, driver/image mismatches
 * refused at create, `stack deploy` with several files, `--prune`, and a Swarm-style stack name.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeView, ServiceView } from '../../manager/api/views.js';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';

let cluster: TestCluster;
let pi4: WritableBoard;
const services = ['alpha', 'beta', 'voting_stack_web', 'voting_stack_worker'];

const kelvin = (...args: string[]): Promise<string> => cluster.kelvin(...args);
const lines = (text: string): string[] => text.trim().split('\n').filter(Boolean);

beforeAll(async () => {
  // Short hold times: the Pi is cooled and powered cleanly again before the services are created.
  cluster = await TestCluster.start(['--host-root', boardRoot('jetson-orin'), '--thermal-hold', '1s', '--power-stable', '1s']);
  pi4 = writableBoard('rpi4');
  pi4.setTempC(73); // between the Pi 4's throttle (70 C) and critical (76 C) limits: hot
  pi4.setUnderVoltage(true);
  cluster.startAgent('pi4', pi4.root);
  await cluster.waitForReadyNodes(2);
}, 60_000);

afterAll(async () => {
  const generated = cluster ? ((JSON.parse(await kelvin('service', 'ls', '--json')) as ServiceView[]).map((s) => s.name)) : [];
  await cluster?.stop([...new Set([...services, ...generated])]);
  pi4?.remove();
}, 30_000);

describe('node ls with -q, --filter and --format', () => {
  it("filters by Kelvin's thermal and power states and Swarm's keys", async () => {
    const nodes = JSON.parse(await kelvin('node', 'ls', '--json')) as NodeView[];
    const pi = nodes.find((n) => n.hostname === 'pi4');
    await expect.poll(async () => lines(await kelvin('node', 'ls', '-q', '--filter', 'thermal=hot')), { timeout: 15_000 }).toEqual([pi?.id]);
    await expect.poll(async () => lines(await kelvin('node', 'ls', '-q', '--filter', 'power=unstable')), { timeout: 15_000 }).toEqual([pi?.id]);
    expect(lines(await kelvin('node', 'ls', '-q')).sort()).toEqual(nodes.map((n) => n.id).sort());
    expect(await kelvin('node', 'ls', '--filter', 'role=manager', '--filter', 'node.label=gpu=true', '--format', '{{.Role}} {{.Arch}} {{.Board}}')).toBe('manager aarch64 jetson-orin\n');
    expect(lines(await kelvin('node', 'ls', '--format', 'table {{.Hostname}}\\t{{.Thermal}}', '--filter', 'name=pi'))).toEqual([expect.stringMatching(/^HOSTNAME\s+THERMAL$/), expect.stringMatching(/^pi4\s+hot$/)]);
  });

  it('refuses an unknown filter key with exit 2 and the keys it knows', async () => {
    const r = await runKelvin(['node', 'ls', '--filter', 'colour=red'], { env: cluster.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("kelvin: --filter: unknown key 'colour' (known: id, name, role, membership, availability, label, node.label, thermal, power)\n");
  });
});

describe('services and their tasks', () => {
  beforeAll(async () => {
    pi4.setTempC(55);
    pi4.setUnderVoltage(false);
    await waitUntil('the Pi to cool and its power to settle', async () => (await kelvin('node', 'ls', '--filter', 'name=pi4', '--format', '{{.Thermal}} {{.Power}}')) === 'normal stable\n', 20_000);
  }, 30_000);

  it('names a service docker-style when --name is absent', async () => {
    const id = (await kelvin('service', 'create', '--replicas', '0', '--', '/bin/true')).trim();
    const created = JSON.parse(await kelvin('service', 'inspect', id)) as ServiceView[];
    expect(created[0]?.name).toMatch(/^[a-z]+_[a-z]+$/);
  });

  it('refuses a driver given the wrong kind of thing, at create, with one line', async () => {
    const asProcess = await runKelvin(['service', 'create', '--name', 'x', '--driver', 'process', 'some/image:tag'], { env: cluster.env });
    expect(asProcess.code).toBe(2);
    expect(asProcess.stderr).toBe(
      "kelvin: the process driver runs a COMMAND (an absolute path, ./path or a program name in PATH), and 'some/image:tag' looks like an image; to run it drop --driver process (docker is the default for an IMAGE)\n",
    );
    const asDocker = await runKelvin(['service', 'create', '--name', 'x', '--driver', 'docker', '--', '/bin/true'], { env: cluster.env });
    expect(asDocker.code).toBe(2);
    expect(asDocker.stderr).toBe("kelvin: the docker driver runs an IMAGE, and '/bin/true' is not an image reference (e.g. busybox:1.36); to run a program use --driver process -- /bin/true\n");
    expect(await kelvin('service', 'ls', '-q', '--filter', 'name=x')).toBe('');
  });

  it('lists the tasks of several services, and of a node, with the task filters', async () => {
    await kelvin('service', 'create', '--name', 'alpha', '--replicas', '2', '--label', 'tier=front', '--constraint', 'node.role==manager', '--', ...cluster.loop('alpha'));
    await kelvin('service', 'create', '--name', 'beta', '--mode', 'global', '--', ...cluster.loop('beta'));
    const running = async (): Promise<number> => lines(await kelvin('service', 'ps', 'alpha', 'beta', '--format', '{{.CurrentState}}', '--filter', 'desired-state=running')).filter((l) => l.startsWith('Running')).length;
    await expect.poll(running, { timeout: 20_000 }).toBe(4);
    expect(lines(await kelvin('service', 'ps', 'alpha', 'beta', '-q'))).toHaveLength(4);
    expect(lines(await kelvin('service', 'ps', 'alpha', 'beta', '--format', '{{.Name}}', '--filter', 'service=beta')).map((n) => n.replace(/\..*/, ''))).toEqual(['beta', 'beta']);
    expect(await kelvin('service', 'ls', '--filter', 'label=tier=front', '--format', '{{.Name}} {{.Mode}} {{.Replicas}}')).toMatch(/^alpha replicated \d\/2\n$/);

    // `node ps` without a NODE: this host's node, the manager's local agent (Swarm's `self`).
    const local = await runKelvin(['node', 'ps', '--format', '{{.Name}}'], { env: { ...cluster.env, KELVIN_DATA_DIR: cluster.dataDir } });
    expect(local.code).toBe(0);
    expect(lines(local.stdout).map((n) => n.replace(/\..*/, '')).sort()).toEqual(['alpha', 'alpha', 'beta']);
    expect(lines(await kelvin('node', 'ps', 'pi4', '--format', '{{.Node}} {{.DesiredState}}'))).toEqual(['pi4 Running']);
  });

  it('prints a service for people with inspect --pretty', async () => {
    const pretty = await kelvin('service', 'inspect', '--pretty', 'alpha');
    expect(pretty).toMatch(/^Name:\s+alpha$/m);
    expect(pretty).toMatch(/^Mode:\s+Replicated \(2 replicas\)$/m);
    expect(pretty).toMatch(/^\s+- node\.role==manager$/m);
    expect(pretty).toMatch(/^\s+- tier=front$/m);
  });

  it('prints the join token as JSON', async () => {
    const info = JSON.parse(await kelvin('join-token', '--json')) as { token: string; brokerUrl: string; command: string };
    expect(info.token).toBe(cluster.joinToken);
    expect(info.command).toBe(`kelvin agent --broker ${info.brokerUrl} --token ${info.token}`);
  });
});

describe('stack deploy', () => {
  it('merges several -c files, accepts voting_stack, keeps dropped services unless --prune', async () => {
    const base = join(cluster.dir, 'base.yml');
    const override = join(cluster.dir, 'override.yml');
    const loop = (s: string): string => JSON.stringify(cluster.loop(s));
    writeFileSync(base, `services:\n  web:\n    x-kelvin:\n      driver: process\n    command: ${loop('voting_stack_web')}\n    deploy:\n      replicas: 1\n  worker:\n    x-kelvin:\n      driver: process\n    command: ${loop('voting_stack_worker')}\n    deploy:\n      replicas: 0\n`);
    writeFileSync(override, 'services:\n  web:\n    deploy:\n      replicas: 2\n');
    expect(await kelvin('stack', 'deploy', '-c', base, '-c', override, 'voting_stack')).toBe('Creating service voting_stack_web\nCreating service voting_stack_worker\n');
    expect(await kelvin('stack', 'services', 'voting_stack', '--format', '{{.Name}} {{.Spec.Replicas}}')).toBe('voting_stack_web 2\nvoting_stack_worker 0\n');
    expect(await kelvin('stack', 'ls', '--format', '{{.Name}}: {{.Services}}')).toBe('voting_stack: 2\n');

    const onlyWeb = join(cluster.dir, 'web-only.yml');
    writeFileSync(onlyWeb, `services:\n  web:\n    x-kelvin:\n      driver: process\n    command: ${loop('voting_stack_web')}\n    deploy:\n      replicas: 2\n`);
    const kept = await runKelvin(['stack', 'deploy', '-c', onlyWeb, 'voting_stack'], { env: cluster.env });
    expect(kept.code).toBe(0);
    // The warning count is always the last line of a deploy.
    expect(kept.stderr).toBe('Keeping service voting_stack_worker: not in the compose file (deploy with --prune to remove it)\n0 warnings\n');
    expect(lines(await kelvin('stack', 'services', 'voting_stack', '--format', '{{.Name}}'))).toEqual(['voting_stack_web', 'voting_stack_worker']);
    expect(await kelvin('stack', 'deploy', '--prune', '-c', onlyWeb, 'voting_stack')).toBe('Removing service voting_stack_worker\n');
    expect(lines(await kelvin('stack', 'services', 'voting_stack', '-q'))).toHaveLength(1);
  });
});
