/**
 * Reach by name across boards with a real Docker engine (issue 13): stack `shop` puts `web` (a
 * busybox container) on the board `dock`, whose agent runs in this namespace beside dockerd, and
 * `api` and `db` (process tasks that only `expose` a port) on the board `far`, whose agent runs in
 * a network namespace of its own, so web -> api crosses the dock board's mesh and a real hop.
 * web shares the network `front` with api; db is on `back` only, so web must not resolve it.
 * `cache` (a container on dock) declares no ports at all: its image EXPOSEs 7070, as redis's
 * EXPOSEs 6379 in Docker's voting app, and web reaches it there by name.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceView } from '../../manager/api/views.js';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';
import { createTestNetwork, IP_BIN, type TestNetwork } from '../helpers/netns.js';
import { hasDocker, TEST_IMAGE } from '../helpers/requirements.js';

/** A /24 of its own per run, so parallel runs never meet on this namespace's lo. */
const VIP_PREFIX = `10.213.${100 + (process.pid % 150)}`;
const SERVICES = ['shop_web', 'shop_api', 'shop_db', 'shop_cache'];
/** Built from the test image (no network needed): EXPOSE 7070 and an HTTP server there, nothing declared in the stack. */
const EXPOSED_IMAGE = `kelvin-test/exposed:${process.pid}`;
const EXPOSED_DOCKERFILE = `FROM ${TEST_IMAGE}
EXPOSE 7070
CMD ["sh", "-c", "mkdir -p /www && echo hello from cache > /www/index.html && exec httpd -f -p 7070 -h /www"]
`;

const network: TestNetwork | null = hasDocker ? createTestNetwork(1) : null;
if (hasDocker && !network) console.warn('reach-by-name e2e: skipped: network namespaces cannot be made here (needs root and iproute2)');

let cluster: TestCluster;
let dir = '';

const server = (answer: string): string => `require('http').createServer((q,r)=>r.end('${answer}')).listen(+process.env.PORT);`;

function stackFile(marker: (s: string) => string): string {
  const proc = (name: string, port: number, networks: string[]) => `
  ${name}:
    x-kelvin: { driver: process }
    command: ${JSON.stringify([process.execPath, '-e', server(`hello from ${name}`), marker(name)])}
    expose: ["${port}"]
    networks: ${JSON.stringify(networks)}
    deploy: { placement: { constraints: ["node.hostname==far"] } }`;
  return `services:
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "600"]
    networks: [front]
    stop_grace_period: 1s
    deploy: { placement: { constraints: ["node.hostname==dock"] } }
  cache:
    image: ${EXPOSED_IMAGE}
    networks: [front]
    stop_grace_period: 1s
    deploy: { placement: { constraints: ["node.hostname==dock"] } }${proc('api', 8080, ['front', 'back'])}${proc('db', 5432, ['back'])}
networks:
  front:
  back:
`;
}

function lo(): string {
  return execFileSync(IP_BIN, ['-4', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
}

/**
 * An HTTP GET from inside the web container with busybox `nc` (the test image's busybox `wget`
 * crashes): the reply's body, or what went wrong.
 */
function getFromWeb(container: string, host: string, port: number): string {
  try {
    const script = `printf 'GET / HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' | nc -w 5 ${host} ${port}`;
    const reply = execFileSync('docker', ['exec', container, 'sh', '-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return reply.split('\r\n\r\n').slice(1).join('') || `no body: ${JSON.stringify(reply)}`;
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    return `failed: ${(e.stderr || e.message || String(err)).trim()}`;
  }
}

/** Whether a TCP connection to host:port is refused. */
function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.on('connect', () => (s.destroy(), resolve(false)));
    s.on('error', () => resolve(true));
  });
}

describe.skipIf(!hasDocker || !network)('reach by name, containers and networks', () => {
  let webContainer = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kelvin-byname-'));
    execFileSync('docker', ['build', '-q', '-t', EXPOSED_IMAGE, '-'], { input: EXPOSED_DOCKERFILE, stdio: ['pipe', 'ignore', 'pipe'], timeout: 60_000 });
    cluster = await TestCluster.start(['--vip-range', `${VIP_PREFIX}.0/24`], { mqttHost: network?.hostAddr });
    cluster.startAgent('dock', boardRoot('x86-intel'));
    cluster.startAgent('far', boardRoot('x86-intel'), { netns: network?.boards[0]?.ns });
    await cluster.waitForReadyNodes(2);
    const file = join(dir, 'shop.yml');
    writeFileSync(file, stackFile((s) => cluster.marker(s)));
    const deployed = await runKelvin(['stack', 'deploy', '-c', file, 'shop'], { env: cluster.env, timeoutMs: 30_000 });
    expect(deployed.code, deployed.stderr).toBe(0);
    await waitUntil('web, api, db and cache running', async () => (await Promise.all(SERVICES.map((s) => cluster.runningOn(s)))).every((on) => on.length === 1), 60_000);
    const [web] = (await cluster.tasks('shop_web')).filter((t) => t.state === 'running');
    webContainer = web?.runtimeId ?? '';
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop(SERVICES);
    for (const service of ['shop_web', 'shop_cache']) {
      const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=io.kelvin.service.name=${service}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
      if (left.length > 0) execFileSync('docker', ['rm', '-f', ...left], { stdio: 'ignore' });
    }
    execFileSync('docker', ['rmi', '-f', EXPOSED_IMAGE], { stdio: 'ignore' });
    // An agent killed before it cleaned up leaves its addresses on lo.
    for (const vip of lo().match(new RegExp(`${VIP_PREFIX.replace(/\./g, '\\.')}\\.\\d+`, 'g')) ?? []) {
      execFileSync(IP_BIN, ['addr', 'del', `${vip}/32`, 'dev', 'lo'], { stdio: 'ignore' });
    }
    network?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('web (a container) reaches api on another board by compose name and full name, at a stored virtual address', async () => {
    const [api] = JSON.parse(await cluster.kelvin('service', 'inspect', 'shop_api')) as ServiceView[];
    expect(api?.vip).toMatch(new RegExp(`^${VIP_PREFIX.replace(/\./g, '\\.')}\\.\\d+$`));
    expect(lo()).toContain(`${api?.vip}/32`);
    await expect.poll(() => getFromWeb(webContainer, 'api', 8080), { timeout: 15_000, interval: 500 }).toBe('hello from api');
    expect(getFromWeb(webContainer, 'shop_api', 8080)).toBe('hello from api');
  });

  it("web reaches cache, which declares no ports, by name on the port its image EXPOSEs; the board's address does not publish it", async () => {
    const [cache] = JSON.parse(await cluster.kelvin('service', 'inspect', 'shop_cache')) as ServiceView[];
    expect(cache?.spec.ports).toEqual([]);
    expect(cache?.spec.expose).toEqual([]);
    await expect.poll(() => getFromWeb(webContainer, 'cache', 7070), { timeout: 15_000, interval: 500 }).toBe('hello from cache\n');
    expect(getFromWeb(webContainer, 'shop_cache', 7070)).toBe('hello from cache\n');
    expect(await refused(network?.hostAddr ?? '', 7070)).toBe(true);
  });

  it('web does not resolve db, which shares no network with it', () => {
    expect(getFromWeb(webContainer, 'db', 5432)).toBe("failed: nc: bad address 'db'");
    expect(getFromWeb(webContainer, 'shop_db', 5432)).toBe("failed: nc: bad address 'shop_db'");
  });

  it('publishes an expose-only port on no board address, and takes the address off lo once the service is gone', async () => {
    expect(await refused(network?.hostAddr ?? '', 8080)).toBe(true);
    const [api] = JSON.parse(await cluster.kelvin('service', 'inspect', 'shop_api')) as ServiceView[];
    await cluster.kelvin('stack', 'rm', 'shop');
    await expect.poll(lo, { timeout: 10_000 }).not.toContain(`${api?.vip}/32`);
  });
});
