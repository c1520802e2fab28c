/**
 * TLS by default, end to end with real processes: `kelvin manager` serves mqtts:// with a
 * certificate from its own cluster CA; a `kelvin agent` given only the join token pins that CA
 * (the token carries its digest) and joins; a broker of another cluster is refused with one line;
 * a wrong token secret is refused by the broker; `--insecure-mqtt` still serves plain MQTT; an API
 * that listens beyond loopback is served over HTTPS with the cluster certificate.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caDigest } from '../../shared/join-token.js';
import { boardRoot, fixtureEnv } from '../agent/sensors/fixture-boards.js';
import { runKelvin, spawnKelvin } from '../helpers/cli.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';
import { freePort } from '../helpers/mosquitto.js';

const BOARD = boardRoot('x86-nvidia');
let a: TestCluster;
let b: TestCluster;

beforeAll(async () => {
  [a, b] = await Promise.all([TestCluster.start(), TestCluster.start()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop([]), b?.stop([])]);
}, 30_000);

/** `kelvin agent` with `args` after the board flags, run until it exits or `ms` pass. */
function runAgent(cluster: TestCluster, name: string, broker: string, token: string, ms: number) {
  return runKelvin(['agent', '--broker', broker, '--token', token, '--state-dir', join(cluster.dir, name), '--host-root', BOARD, '--name', name, '--interval', '500ms'], {
    env: { ...fixtureEnv(BOARD), KELVIN_LOG_LEVEL: 'info' },
    timeoutMs: ms,
  });
}

describe('kelvin manager with TLS (the default)', () => {
  it('an agent with only the join token pins the cluster CA and joins over mqtts://', async () => {
    const token = (await a.kelvin('join-token', '-q')).trim();
    const caPem = readFileSync(join(a.dataDir, 'tls', 'ca.pem'));
    expect(token).toBe(`KLVN-1-${caDigest(caPem)}-${token.split('-').pop()}`);
    expect(await a.kelvin('join-token')).toContain(`--broker mqtts://`);

    a.startAgent('pinned', BOARD);
    await a.waitForReadyNodes(1);
    expect((await a.nodes()).map((n) => n.hostname)).toEqual(['pinned']);
    // The CA it pinned is the manager's, kept for the next start.
    expect(readFileSync(join(a.dir, 'pinned', 'cluster-ca.pem'), 'utf8')).toBe(caPem.toString());
  });

  it('the broker speaks only TLS: a plain MQTT client gets no session', async () => {
    const client = connect(`mqtt://127.0.0.1:${a.mqttPort}`, { reconnectPeriod: 0, connectTimeout: 5000 });
    const outcome = await new Promise((resolve) => {
      client.once('connect', () => resolve('connected'));
      client.once('close', () => resolve('closed'));
    });
    client.end(true);
    expect(outcome).toBe('closed');
  });

  it("refuses a broker whose chain does not match the token's CA digest, in one line", async () => {
    const token = (await a.kelvin('join-token', '-q')).trim();
    // Cluster A's token against cluster B's broker: B presents a chain from another CA.
    const r = await runAgent(b, 'misled', `mqtts://127.0.0.1:${b.mqttPort}`, token, 20_000);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('kelvin: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kelvin: broker certificate does not match the join token's CA digest \(broker 127\.0\.0\.1:\d+ presented [a-z2-7]{12}, [a-z2-7]{12}; token expects [a-z2-7]{12}\)$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await b.nodes()).map((n) => n.hostname)).not.toContain('misled');
  });

  it('refuses a wrong token over TLS: the CA pins, the broker turns the secret away', async () => {
    const token = (await a.kelvin('join-token', '-q')).trim();
    const wrong = `${token.slice(0, token.lastIndexOf('-'))}-${'a'.repeat(32)}`;
    const r = await runAgent(a, 'intruder', `mqtts://127.0.0.1:${a.mqttPort}`, wrong, 4000);
    expect(r.stderr).toMatch(/pinned the cluster CA/);
    expect(r.stderr).toMatch(/"err":"Connection refused: (Bad username or password|Not authorized)","msg":"broker connection error"/);
    expect((await a.nodes()).map((n) => n.hostname)).not.toContain('intruder');
  });
});

describe('kelvin manager --insecure-mqtt', () => {
  let plain: TestCluster;
  beforeAll(async () => {
    plain = await TestCluster.start(['--insecure-mqtt']);
  }, 30_000);
  afterAll(async () => plain?.stop([]), 30_000);

  it('serves plain MQTT, and an agent joins over mqtt://', async () => {
    expect(await plain.kelvin('join-token')).toContain(`--broker mqtt://`);
    plain.startAgent('plain', BOARD);
    await plain.waitForReadyNodes(1);
    const client = await connectAsync(`mqtt://127.0.0.1:${plain.mqttPort}`, { reconnectPeriod: 0, connectTimeout: 3000 }).catch((err: Error) => err);
    // Reachable without TLS (refused only for want of credentials).
    expect(String(client)).toMatch(/Bad username or password|Not authorized/);
  });
});

describe('kelvin manager --http beyond loopback', () => {
  it('serves the API over HTTPS with the cluster certificate; the CLI trusts it through NODE_EXTRA_CA_CERTS', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kelvin-https-'));
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    // 0.0.0.0 is beyond loopback; the test still only talks to 127.0.0.1.
    const manager = spawnKelvin(['manager', '--no-agent', '--data-dir', dir, '--mqtt-host', '127.0.0.1', '--mqtt-port', String(mqttPort), '--http', `0.0.0.0:${httpPort}`], {
      env: { ...process.env, KELVIN_LOG_LEVEL: 'warn' },
    });
    try {
      const ca = join(dir, 'tls', 'ca.pem');
      const env = (): NodeJS.ProcessEnv => ({ ...process.env, KELVIN_HOST: `https://127.0.0.1:${httpPort}`, KELVIN_TOKEN: readFileSync(join(dir, 'admin.token'), 'utf8').trim() });
      await waitUntil('the HTTPS API', async () => (await runKelvin(['node', 'ls', '--json'], { env: { ...env(), NODE_EXTRA_CA_CERTS: ca } })).code === 0, 20_000);
      const trusted = await runKelvin(['node', 'ls', '--json'], { env: { ...env(), NODE_EXTRA_CA_CERTS: ca } });
      expect(trusted.code).toBe(0);
      expect(JSON.parse(trusted.stdout)).toEqual([]);
      const untrusted = await runKelvin(['node', 'ls'], { env: env() });
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toMatch(/^kelvin: cannot reach the manager at https:\/\/127\.0\.0\.1:\d+ \(from KELVIN_HOST\): .*certificate.* \(trust the manager's <data dir>\/tls\/ca\.pem: kelvin context create --ca-file, or NODE_EXTRA_CA_CERTS\); point the CLI at the manager with --host URL, KELVIN_HOST=URL or a context \(kelvin context create \/ use\)\n$/);
      // Plain HTTP is not served there.
      await expect(fetch(`http://127.0.0.1:${httpPort}/`)).rejects.toThrow();
    } finally {
      manager.kill('SIGTERM');
      await new Promise((r) => manager.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
