/**
 * Published ports through the real CLI, manager and agents: a port another service publishes is
 * refused with its name, a port left to the manager comes from 30000-32767, a compose host IP is
 * refused with the file, service and line, and host-mode ports keep tasks on different boards
 * (3 replicas on 2 boards: one stays pending and says why). A rollback to a port another service
 * took since is refused the same way, and a task that holds a connection open is stopped within one
 * stop grace period (draining spends it).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceView } from '../../manager/api/views.js';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';

let cluster: TestCluster;
const SERVICES = ['web', 'auto', 'exporter', 'back', 'taker', 'hold'];

beforeAll(async () => {
  cluster = await TestCluster.start();
  cluster.startAgent('board-a', boardRoot('rpi5'));
  cluster.startAgent('board-b', boardRoot('x86-intel'));
  await cluster.waitForReadyNodes(2);
}, 60_000);

afterAll(async () => {
  await cluster?.stop(SERVICES);
}, 30_000);

describe('kelvin service create --publish', () => {
  it('refuses a port another service publishes, naming that service, and creates nothing', async () => {
    await cluster.kelvin('service', 'create', '--name', 'web', '-p', '18080:80', '--', ...cluster.loop('web'));
    const refused = await runKelvin(['service', 'create', '--name', 'api', '--publish', 'published=18080,target=3000', '--', ...cluster.loop('api')], { env: cluster.env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe("kelvin: service api: published port 18080/tcp is already in use by service 'web' as an ingress port\n");
    const ls = await cluster.kelvin('service', 'ls');
    expect(ls).not.toMatch(/\bapi\b/);
    expect(ls).toMatch(/\bweb\b.*\*:18080->80\/tcp/);
  }, 30_000);

  it('assigns a port from 30000-32767 to -p TARGET and shows it in inspect and ls', async () => {
    await cluster.kelvin('service', 'create', '--name', 'auto', '-p', '8081/udp', '--', ...cluster.loop('auto'));
    const [auto] = JSON.parse(await cluster.kelvin('service', 'inspect', 'auto')) as ServiceView[];
    expect(auto?.spec.ports).toEqual([{ published: 30000, target: 8081, protocol: 'udp', mode: 'ingress' }]);
    expect(await cluster.kelvin('service', 'ls')).toMatch(/\bauto\b.*\*:30000->8081\/udp/);
    expect(await cluster.kelvin('service', 'inspect', '--pretty', 'auto')).toContain('Ports:\n  - *:30000->8081/udp\n');
    expect(await cluster.kelvin('service', 'ls', '--filter', 'name=auto', '--format', '{{.Name}} {{.Ports}}')).toBe('auto *:30000->8081/udp\n');
  }, 30_000);

  it('refuses a bad --publish value before reaching the manager, with exit 2', async () => {
    const bad = await runKelvin(['service', 'create', '--name', 'bad', '-p', '8080:80/sctp', 'nginx'], { env: cluster.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "kelvin: --publish: '8080:80/sctp': protocol 'sctp' is not one of tcp, udp (write [PUBLISHED:]TARGET[/PROTOCOL] or published=PORT,target=PORT[,protocol=tcp|udp][,mode=ingress|host])\n",
    );
  });

  it('keeps host-mode tasks on different boards: 3 replicas on 2 boards leave one pending with the reason', async () => {
    await cluster.kelvin('service', 'create', '--name', 'exporter', '--replicas', '3', '--publish', 'published=19100,target=9100,mode=host', '--', ...cluster.loop('exporter'));
    await waitUntil('two exporter tasks running', async () => (await cluster.runningOn('exporter')).length === 2, 20_000);
    expect(await cluster.runningOn('exporter')).toEqual(['board-a', 'board-b']);
    const pending = (await cluster.tasks('exporter')).filter((t) => t.state === 'pending');
    expect(pending.map((t) => t.message)).toEqual(['no suitable node (host-mode port already in use on 2 nodes)']);
    expect(await cluster.kelvin('service', 'ps', 'exporter')).toContain('host-mode port already in use on 2 nodes');
  }, 40_000);
});

describe('kelvin stack deploy with ports', () => {
  it('refuses a host IP with the file, service and line, deploying nothing', async () => {
    const file = join(cluster.dir, 'shop.yml');
    writeFileSync(file, 'services:\n  front:\n    image: nginx\n    ports:\n      - "127.0.0.1:8080:80"\n');
    const r = await runKelvin(['stack', 'deploy', '-c', file, 'shop'], { env: cluster.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "services.front.ports[0]: a host IP (127.0.0.1) makes no sense cluster-wide: a published port listens on the boards themselves (every ready board for mode ingress, the task's board for mode host); write '8080:80' (line 5)\n" +
        `kelvin: ${file}: 1 error; nothing was deployed\n`,
    );
  });

  it('refuses a stack whose port another service holds, in one transaction', async () => {
    const file = join(cluster.dir, 'mon.yml');
    writeFileSync(file, 'services:\n  grafana:\n    image: grafana\n    ports: ["13000:3000"]\n  proxy:\n    image: nginx\n    ports: ["18080:80"]\n');
    const r = await runKelvin(['stack', 'deploy', '-c', file, 'mon'], { env: cluster.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("kelvin: service mon_proxy: published port 18080/tcp is already in use by service 'web' as an ingress port\n");
    expect(await cluster.kelvin('service', 'ls')).not.toMatch(/mon_/);
  });
});

describe('kelvin service rollback with ports', () => {
  it('refuses to roll back to a port another service took since, with the create/update message, and changes nothing', async () => {
    await cluster.kelvin('service', 'create', '--name', 'back', '-p', '18181:80', '--', ...cluster.loop('back'));
    await cluster.kelvin('service', 'update', '--publish-rm', '80', '--publish-add', '18182:80', 'back');
    await cluster.kelvin('service', 'create', '--name', 'taker', '-p', '18181:80', '--', ...cluster.loop('taker'));
    const [before] = JSON.parse(await cluster.kelvin('service', 'inspect', 'back')) as ServiceView[];
    const refused = await runKelvin(['service', 'rollback', 'back'], { env: cluster.env });
    expect(refused.stderr).toBe("kelvin: service back: published port 18181/tcp is already in use by service 'taker' as an ingress port\n");
    expect(refused.code).toBe(1);
    const res = await fetch(`${cluster.env.KELVIN_HOST}/v1/services/back/rollback`, { method: 'POST', headers: { authorization: `Bearer ${cluster.env.KELVIN_TOKEN}` } });
    expect(res.status).toBe(409);
    const [after] = JSON.parse(await cluster.kelvin('service', 'inspect', 'back')) as ServiceView[];
    expect(after).toEqual(before);
    expect(await cluster.kelvin('service', 'ls')).toMatch(/\bback\b.*\*:18182->80\/tcp/);
  }, 30_000);
});

/** Holds every connection open and ignores SIGTERM: only the SIGKILL at the end of the grace period stops it. */
const HOLDER = "process.on('SIGTERM',()=>{});require('net').createServer(()=>{}).listen(+process.env.PORT);";

describe('stopping a task with open connections', () => {
  it('stops it within one stop grace period in total: draining spends the grace, the driver gets what is left', async () => {
    await cluster.kelvin('service', 'create', '--name', 'hold', '-p', '18190:80', '--stop-grace-period', '2s', '--', process.execPath, '-e', HOLDER, cluster.marker('hold'));
    await waitUntil('the hold task listening', async () => cluster.processesOf('hold').length === 1 && (await cluster.runningOn('hold')).length === 1, 20_000);
    const [pid] = cluster.processesOf('hold');
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const port = Number(env.find((e) => e.startsWith('PORT='))?.slice('PORT='.length));
    const client = connect({ host: '127.0.0.1', port });
    client.on('error', () => undefined);
    await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
    // Through the API, not the CLI: the time a CLI process takes to start is not the agent's.
    const asked = Date.now();
    const res = await fetch(`${cluster.env.KELVIN_HOST}/v1/services/hold`, { method: 'DELETE', headers: { authorization: `Bearer ${cluster.env.KELVIN_TOKEN}` } });
    expect(res.ok).toBe(true);
    await expect.poll(() => existsSync(`/proc/${pid}`), { timeout: 10_000, interval: 20 }).toBe(false);
    const tookMs = Date.now() - asked;
    client.destroy();
    console.info(`hold: stopped ${tookMs} ms after its removal (grace 2000 ms)`);
    // The drain waits for the open connection until the grace period is spent, then SIGKILL follows
    // at once: about 2 s, where a full grace period for the drain and another for the stop took 4 s.
    expect(tookMs).toBeGreaterThanOrEqual(1900);
    expect(tookMs).toBeLessThan(3000);
  }, 30_000);
});
