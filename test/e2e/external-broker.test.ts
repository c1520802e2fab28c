/**
 * External broker mode end to end: a real Mosquitto configured with exactly what
 * `kelvin manager broker-config mosquitto` prints (a TLS listener with a certificate signed by the
 * cluster CA; the agents have only the join token and pin the CA from it), board accounts added with Mosquitto's own
 * `mosquitto_passwd` from `kelvin agent --print-mqtt-credentials`, `kelvin manager --broker`, and
 * two `kelvin agent`s on fixture boards. New boards join on their first report; Mosquitto's `%u`
 * ACL keeps each board to its own topics.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeView, TaskView } from '../../manager/api/views.js';
import { nodeTopic } from '../../shared/topics.js';
import { boardRoot, fixtureEnv } from '../agent/sensors/fixture-boards.js';
import { runKelvin, spawnKelvin } from '../helpers/cli.js';
import { waitUntil } from '../helpers/cluster.js';
import { freePort, startMosquittoWithConfig, type ConfiguredBroker } from '../helpers/mosquitto.js';
import { hasMosquitto } from '../helpers/requirements.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';

const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
let dir = '';
const marker = `kelvin-ext-${process.pid}`;
const processes: ChildProcess[] = [];
let broker: ConfiguredBroker;
let manager: ChildProcess;
let pi4: WritableBoard;
let joinToken = '';
let env: NodeJS.ProcessEnv = {};
const agents = new Map<string, ChildProcess>();
const accounts = new Map<string, { username: string; password: string }>();
let snoopAccount: { username: string; password: string } | null = null;

async function kelvin(...args: string[]): Promise<string> {
  const r = await runKelvin(args, { env });
  if (r.code !== 0) throw new Error(`kelvin ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const nodes = async (): Promise<NodeView[]> => JSON.parse(await kelvin('node', 'ls', '--json')) as NodeView[];

async function runningOn(service: string): Promise<string[]> {
  const names = new Map((await nodes()).map((n) => [n.id, n.hostname]));
  const tasks = JSON.parse(await kelvin('service', 'ps', service, '--json')) as TaskView[];
  return tasks.filter((t) => t.desiredState === 'running' && t.state === 'running').map((t) => names.get(t.nodeId ?? '') ?? '?').sort();
}

/** The board's broker account, as the admin gets it from `kelvin agent --print-mqtt-credentials`. */
async function brokerAccount(name: string): Promise<{ username: string; password: string }> {
  const r = await runKelvin(['agent', '--print-mqtt-credentials', '--token', joinToken, '--state-dir', join(dir, name), '--name', name]);
  expect(r.code).toBe(0);
  const field = (key: string): string => new RegExp(`^${key}: (\\S+)$`, 'm').exec(r.stdout)?.[1] ?? '';
  return { username: field('username'), password: field('password') };
}

function startAgent(name: string, hostRoot: string, nvidiaSmi: boolean): void {
  const child = spawnKelvin(
    ['agent', '--broker', broker.url, '--token', joinToken, '--state-dir', join(dir, name), '--host-root', hostRoot, '--name', name, '--interval', '500ms', '--keepalive', '2s'],
    { env: { ...fixtureEnv(hostRoot, { nvidiaSmi }), KELVIN_LOG_LEVEL: 'warn' } },
  );
  agents.set(name, child);
  processes.push(child);
}

const loop = (): string[] => ['/bin/sh', '-c', 'while true; do sleep 1; done', marker];

describe.skipIf(!hasMosquitto)('kelvin manager --broker with an external Mosquitto', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kelvin-ext-broker-'));
    // Mosquitto started as root reads its files as its own user.
    chmodSync(dir, 0o755);
    const dataDir = join(dir, 'manager');
    const brokerDir = join(dir, 'broker');
    const port = await freePort();
    const httpPort = await freePort();

    // 1. The broker config, before the manager ever ran (it cannot start until the broker admits it).
    const printed = await runKelvin(['manager', 'broker-config', 'mosquitto', '--data-dir', dataDir, '--out', brokerDir, '--listen', `127.0.0.1:${port}`]);
    expect(printed.code).toBe(0);
    joinToken = /--token (\S+)/.exec(printed.stdout)?.[1] ?? '';
    expect(printed.stdout).toMatch(/^listener \d+ 127\.0\.0\.1\n#.*\ncafile .*kelvin-ca\.pem\ncertfile .*kelvin-server\.pem\nkeyfile .*kelvin-server\.key$/m);
    const passwd = join(brokerDir, 'kelvin.passwd');
    chmodSync(passwd, 0o644);
    chmodSync(join(brokerDir, 'kelvin-server.key'), 0o644);
    broker = await startMosquittoWithConfig(printed.stdout, port, 'mqtts');

    // 2. The manager on that broker.
    manager = spawnKelvin(['manager', '--data-dir', dataDir, '--broker', broker.url, '--broker-ca', join(dataDir, 'tls', 'ca.pem'), '--http', `127.0.0.1:${httpPort}`, '--node-timeout', '2s', '--no-agent'], {
      env: { ...process.env, KELVIN_LOG_LEVEL: 'warn' },
    });
    processes.push(manager);
    await waitUntil('the API', () => fetch(`http://127.0.0.1:${httpPort}/`).then(() => true), 15_000);
    env = { ...process.env, KELVIN_HOST: `http://127.0.0.1:${httpPort}`, KELVIN_TOKEN: readFileSync(join(dataDir, 'admin.token'), 'utf8').trim() };

    // 3. Two new boards: their accounts go into the running broker, which re-reads its files on SIGHUP.
    for (const name of ['pi4', 'gpubox', 'snoop']) {
      const account = await brokerAccount(name);
      // snoop never runs an agent: its account only listens, as another board would (secrets test).
      if (name === 'snoop') snoopAccount = account;
      else accounts.set(name, account);
      execFileSync(MOSQUITTO_PASSWD, ['-b', passwd, account.username, account.password]);
    }
    chmodSync(passwd, 0o644);
    broker.reload();

    // 4. The agents; the Pi 4 capture is hot and under-voltage: cool it and power it cleanly.
    pi4 = writableBoard('rpi4');
    pi4.setTempC(55);
    pi4.setUnderVoltage(false);
    startAgent('pi4', pi4.root, false);
    startAgent('gpubox', boardRoot('x86-nvidia'), true);
    await waitUntil('2 ready nodes', async () => (await nodes()).filter((n) => n.status === 'ready' && n.platform !== null).length === 2, 20_000);
  }, 60_000);

  afterAll(async () => {
    for (const service of ['gpu', 'movable', 'vault']) await runKelvin(['service', 'rm', service], { env }).catch(() => undefined);
    for (const child of processes.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      child.kill('SIGKILL');
    }
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      const cmdline = (() => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      })();
      if (cmdline.split('\0').includes(marker)) process.kill(Number(pid), 'SIGKILL');
    }
    await broker?.stop();
    pi4?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('registers new boards on their first report', async () => {
    const list = await nodes();
    expect(list.map((n) => n.hostname).sort()).toEqual(['gpubox', 'pi4']);
    expect(list.map((n) => n.id).sort()).toEqual([...accounts.values()].map((a) => a.username).sort());
    for (const n of list) expect(n).toMatchObject({ role: 'worker', status: 'ready', availability: 'active' });
  });

  it('places node.labels.gpu==true only on the GPU board', async () => {
    await kelvin('service', 'create', '--name', 'gpu', '--replicas', '2', '--constraint', 'node.labels.gpu==true', '--', ...loop());
    await expect.poll(() => runningOn('gpu'), { timeout: 15_000 }).toEqual(['gpubox', 'gpubox']);
  });

  it("refuses a board's publish on another board's topic, so the manager never sees it", async () => {
    const pi = accounts.get('pi4');
    const gpu = accounts.get('gpubox');
    if (!pi || !gpu) throw new Error('accounts missing');
    // Valid facts for the GPU board under another hostname: the manager would take them if they arrived.
    const once = await runKelvin(['agent', '--once', '--json', '--state-dir', join(dir, 'gpubox'), '--host-root', boardRoot('x86-nvidia'), '--name', 'forged']);
    const forged = (JSON.parse(once.stdout) as { facts: Record<string, unknown> }).facts;
    expect(forged.nodeId).toBe(gpu.username);
    const client = await connectAsync(broker.url, { username: pi.username, password: pi.password, protocolVersion: 5, reconnectPeriod: 0, ca: readFileSync(join(dir, 'manager', 'tls', 'ca.pem')) });
    try {
      // MQTT 5 lets Mosquitto say why: PUBACK "Not authorized".
      await expect(client.publishAsync(nodeTopic(gpu.username, 'facts'), JSON.stringify(forged), { qos: 1, retain: true })).rejects.toThrow(/Not authorized/);
      const intruder = { ...forged, nodeId: 'intruder-0000', hostname: 'intruder' };
      await expect(client.publishAsync(nodeTopic('intruder-0000', 'facts'), JSON.stringify(intruder), { qos: 1, retain: true })).rejects.toThrow(/Not authorized/);
    } finally {
      await client.endAsync(true);
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect((await nodes()).map((n) => n.hostname).sort()).toEqual(['gpubox', 'pi4']);
  });

  it("delivers a secret only to the board running its task: another board's account sees none of it", async () => {
    const snoop = snoopAccount;
    if (!snoop) throw new Error('account missing');
    const plaintext = `kelvin-ext-secret-${process.pid}-${Math.random().toString(36).slice(2)}`;
    const src = mkdtempSync(join(tmpdir(), 'kelvin-ext-src-'));
    writeFileSync(join(src, 'v'), plaintext);
    await kelvin('secret', 'create', 'ext_pass', join(src, 'v'));
    rmSync(src, { recursive: true, force: true });
    // Mosquitto grants kelvin/# but its ACL delivers a board only its own topics: record what arrives.
    const client = await connectAsync(broker.url, { username: snoop.username, password: snoop.password, reconnectPeriod: 0, ca: readFileSync(join(dir, 'manager', 'tls', 'ca.pem')) });
    const seen: string[] = [];
    client.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    await client.subscribeAsync('kelvin/#');
    try {
      const sha = createHash('sha256').update(plaintext).digest('hex');
      await kelvin('service', 'create', '--name', 'vault', '--constraint', 'node.hostname==gpubox', '--secret', 'ext_pass', '--', '/bin/sh', '-c', 'sha256sum "$KELVIN_SECRETS_DIR/ext_pass"; while true; do sleep 1; done', marker);
      await expect.poll(async () => (await runKelvin(['service', 'logs', 'vault'], { env, timeoutMs: 15_000 })).stdout, { timeout: 30_000 }).toContain(sha);
    } finally {
      await client.endAsync(true);
    }
    expect(seen.filter((m) => !m.startsWith(`kelvin/v1/nodes/${snoop.username}/`) && m.includes('/nodes/'))).toEqual([]);
    expect(seen.some((m) => m.includes(plaintext) || m.includes(Buffer.from(plaintext).toString('base64')))).toBe(false);
  });

  it('reschedules the tasks of an agent killed with SIGKILL', async () => {
    await kelvin('service', 'create', '--name', 'movable', '--replicas', '2', '--', ...loop());
    await expect.poll(() => runningOn('movable'), { timeout: 15_000 }).toEqual(['gpubox', 'pi4']);
    const gpubox = agents.get('gpubox');
    const exited = new Promise((r) => gpubox?.once('exit', r));
    gpubox?.kill('SIGKILL');
    await exited;
    await expect.poll(async () => (await nodes()).find((n) => n.hostname === 'gpubox')?.status, { timeout: 15_000 }).toBe('down');
    await expect.poll(() => runningOn('movable'), { timeout: 20_000 }).toEqual(['pi4', 'pi4']);
  });
});
