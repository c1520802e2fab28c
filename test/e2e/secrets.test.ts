/**
 * Secrets end to end: `kelvin secret create`, a process task and a container reading it (files on
 * tmpfs, mode as asked), the plaintext nowhere in the manager's data dir, the agents' state dirs,
 * the logs, or what a subscriber on another board's credentials receives; `secret rm` refused while
 * in use and the files gone from the board when the tasks stop.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../../manager/api/views.js';
import { formatMqttPassword, nodeClientId } from '../../shared/credentials.js';
import { nodeTopic } from '../../shared/topics.js';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';
import { hasDocker, TEST_IMAGE } from '../helpers/requirements.js';

const PLAINTEXT = `kelvin-e2e-plaintext-${Math.random().toString(36).slice(2)}-correct-horse`;
const SHA = createHash('sha256').update(PLAINTEXT).digest('hex');
const SERVICES = ['reader', 'boxed'];

let cluster: TestCluster;
let managerLog = '';
let vaultId = '';
let snoop: MqttClient;
const snooped: Array<{ topic: string; payload: string }> = [];
const refusals: string[] = [];

beforeAll(async () => {
  cluster = await TestCluster.start();
  cluster.manager?.stdout?.on('data', (d: Buffer) => (managerLog += d.toString()));
  cluster.manager?.stderr?.on('data', (d: Buffer) => (managerLog += d.toString()));
  cluster.startAgent('vault', boardRoot('x86-intel'), { logLevel: 'debug' });
  await cluster.waitForReadyNodes(1);
  vaultId = (await cluster.nodes())[0]?.id ?? '';
  // The value comes from a file outside every directory the test searches afterwards.
  const tmp = mkdtempSync(join(tmpdir(), 'kelvin-secret-src-'));
  writeFileSync(join(tmp, 'value'), PLAINTEXT);
  await cluster.kelvin('secret', 'create', 'db_pass', join(tmp, 'value'));
  writeFileSync(join(tmp, 'cfg'), 'level=debug\n');
  await cluster.kelvin('config', 'create', 'app_cfg', join(tmp, 'cfg'));
  rmSync(tmp, { recursive: true, force: true });

  // Another board: joins with the token and its own secret, then listens to everything it may.
  snoop = await mqtt.connectAsync(`mqtts://127.0.0.1:${cluster.mqttPort}`, {
    clientId: nodeClientId('snoop'),
    username: 'snoop',
    password: formatMqttPassword({ joinToken: cluster.joinToken, nodeSecret: 'snoop-secret' }),
    ca: readFileSync(cluster.caFile),
    reconnectPeriod: 0,
  });
  snoop.on('message', (topic, payload) => snooped.push({ topic, payload: payload.toString() }));
  // Reporting makes it a registered node (a board that joined but never reports is dropped after 60 s).
  await snoop.publishAsync(nodeTopic('snoop', 'status'), JSON.stringify({ v: 1, state: 'online', bootId: 'snoop-boot', clean: true, ts: Date.now() }), { qos: 1, retain: true });
  await snoop.subscribeAsync(nodeTopic('snoop', 'secrets'));
  // The broker refuses these; were it to grant them, every message would be recorded and checked below.
  for (const filter of ['kelvin/#', nodeTopic(vaultId, 'secrets')]) {
    refusals.push(await snoop.subscribeAsync(filter).then(() => `granted ${filter}`, (err: Error) => `refused ${filter}: ${err.message}`));
  }
}, 60_000);

afterAll(async () => {
  await snoop?.endAsync(true).catch(() => undefined);
  await cluster?.stop(SERVICES);
}, 60_000);

async function runningTask(service: string): Promise<TaskView> {
  let task: TaskView | undefined;
  await waitUntil(`${service} running`, async () => {
    task = (await cluster.tasks(service)).find((t) => t.state === 'running');
    return task !== undefined;
  }, 40_000);
  return task as TaskView;
}

async function logsOf(service: string): Promise<string> {
  return (await runKelvin(['service', 'logs', service], { env: cluster.env, timeoutMs: 15_000 })).stdout;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? filesUnder(path) : e.isFile() ? [path] : [];
  });
}

describe('secrets', () => {
  it('reach a process task as a 0400 file in a 0700 tmpfs directory named in its environment', async () => {
    const script = 'cd "$KELVIN_SECRETS_DIR"; sha256sum db_pass; stat -c "mode %a" db_pass; stat -c "dir %a" .; cat "$KELVIN_CONFIGS_DIR/app.conf"; echo dir=$KELVIN_SECRETS_DIR; while true; do sleep 1; done';
    await cluster.kelvin('service', 'create', '--name', 'reader', '--constraint', 'node.hostname==vault', '--secret', 'db_pass', '--config', 'source=app_cfg,target=/etc/app.conf', '--', '/bin/sh', '-c', script, cluster.marker('reader'));
    const task = await runningTask('reader');
    await expect.poll(() => logsOf('reader'), { timeout: 20_000 }).toContain('level=debug');
    const logs = await logsOf('reader');
    expect(logs).toContain(SHA);
    expect(logs).toContain('mode 400');
    expect(logs).toContain('dir 700');
    expect(logs).toContain(`dir=/run/kelvin/materials/${vaultId}/${task.id}/secrets`);
  }, 60_000);

  it.skipIf(!hasDocker)('reach a container at /run/secrets/<target> with the mode asked for, and configs at their target', async () => {
    const script = 'busybox sha256sum /run/secrets/db; busybox stat -c "mode %a" /run/secrets/db; cat /app_cfg; sleep 600';
    await cluster.kelvin('service', 'create', '--name', 'boxed', '--constraint', 'node.hostname==vault', '--secret', 'source=db_pass,target=db,mode=0440', '--config', 'app_cfg', TEST_IMAGE, 'sh', '-c', script);
    await runningTask('boxed');
    await expect.poll(() => logsOf('boxed'), { timeout: 20_000 }).toContain('level=debug');
    const logs = await logsOf('boxed');
    expect(logs).toContain(SHA);
    expect(logs).toContain('mode 440');
  }, 60_000);

  it('cannot be removed while a service uses it, and says which', async () => {
    const r = await runKelvin(['secret', 'rm', 'db_pass'], { env: cluster.env });
    expect(r.code).toBe(1);
    const users = hasDocker ? 'services: boxed, reader' : 'service: reader';
    expect(r.stderr.trim()).toBe(`kelvin: secret 'db_pass' is in use by the following ${users}`);
    const inspect = JSON.parse(await cluster.kelvin('secret', 'inspect', 'db_pass')) as Array<Record<string, unknown>>;
    expect(inspect[0]?.name).toBe('db_pass');
    expect(JSON.stringify(inspect)).not.toContain(PLAINTEXT);
  });

  it('is refused to a board that runs no task using it', async () => {
    const task = (await cluster.tasks('reader')).find((t) => t.state === 'running');
    const { newBoxKeyPair } = await import('../../shared/secrets/sealed-box.js');
    const request = { v: 1, requestId: 'snoop-1', taskId: task?.id, kind: 'secret', name: 'db_pass', publicKey: newBoxKeyPair().publicKeyText };
    await snoop.publishAsync(nodeTopic('snoop', 'secrets-request'), JSON.stringify(request), { qos: 1 });
    await expect.poll(() => snooped.find((m) => m.topic === nodeTopic('snoop', 'secrets'))?.payload, { timeout: 10_000 }).toContain(`"ok":false`);
  });

  it('leaves no plaintext in the data dirs, the logs, or what another board can subscribe to', async () => {
    const encoded = Buffer.from(PLAINTEXT).toString('base64');
    const files = filesUnder(cluster.dir);
    expect(files.some((f) => f.endsWith('kelvin.db'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.includes(PLAINTEXT), file).toBe(false);
      expect(bytes.includes(encoded), file).toBe(false);
    }
    const keyMode = statSync(join(cluster.dataDir, 'secrets.key')).mode & 0o777;
    expect(keyMode).toBe(0o600);
    expect(managerLog).not.toContain(PLAINTEXT);
    expect(cluster.agentLogs.get('vault') ?? '').not.toContain(PLAINTEXT);
    expect(cluster.agentLogs.get('vault') ?? '').toContain('"level":20'); // debug logs were on
    expect(refusals.every((r) => r.startsWith('refused'))).toBe(true);
    expect(snooped.filter((m) => m.topic.startsWith(`kelvin/v1/nodes/${vaultId}/`))).toEqual([]);
    expect(snooped.some((m) => m.payload.includes(PLAINTEXT) || m.payload.includes(encoded))).toBe(false);
    const events = await cluster.kelvin('events', '--json');
    expect(events).toContain('secret.create');
    expect(events).not.toContain(PLAINTEXT);
  });

  it('is removed from the board when its tasks stop, and can then be removed', async () => {
    const ids = (await cluster.tasks('reader')).map((t) => t.id);
    expect(ids.some((id) => existsSync(`/run/kelvin/materials/${vaultId}/${id}`))).toBe(true);
    for (const s of SERVICES) await runKelvin(['service', 'rm', s], { env: cluster.env });
    await waitUntil('the task directories gone', async () => ids.every((id) => !existsSync(`/run/kelvin/materials/${vaultId}/${id}`)), 30_000);
    await expect.poll(async () => (await runKelvin(['secret', 'rm', 'db_pass'], { env: cluster.env })).code, { timeout: 10_000 }).toBe(0);
    expect(await cluster.kelvin('secret', 'ls')).not.toContain('db_pass');
  }, 60_000);
});
