/**
 * Attacks on a running cluster by someone holding only the join token (which every board has):
 * the built `kelvin manager` with its embedded broker, a real `kelvin agent` as the victim, and
 * attackers using MQTT.js and `mosquitto_pub`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventView } from '../../manager/api/views.js';
import { formatMqttPassword, nodeClientId } from '../../shared/credentials.js';
import { nodeTopic } from '../../shared/topics.js';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';
import { factsFor } from '../manager/orchestrator/harness.js';

const MOSQUITTO_PUB = ['/usr/bin/mosquitto_pub', '/usr/local/bin/mosquitto_pub'].find((p) => existsSync(p)) ?? null;

let cluster: TestCluster;
let token: string;
let victim: string;
let managerLog = '';

beforeAll(async () => {
  cluster = await TestCluster.start();
  cluster.manager?.stderr?.on('data', (d: Buffer) => (managerLog += d.toString()));
  token = (await cluster.kelvin('join-token', '-q')).trim();
  cluster.startAgent('victim', boardRoot('jetson-orin'));
  await cluster.waitForReadyNodes(1);
  victim = (await cluster.nodes())[0]?.id ?? '';
}, 60_000);

afterAll(async () => {
  await cluster?.stop([]);
}, 30_000);

const url = (): string => `mqtts://127.0.0.1:${cluster.mqttPort}`;

/** One connection attempt: the connected client, or the broker's refusal. */
async function attempt(options: mqtt.IClientOptions): Promise<MqttClient | string> {
  return mqtt.connectAsync(url(), { reconnectPeriod: 0, connectTimeout: 10_000, ca: readFileSync(cluster.caFile), ...options }).catch((err: Error) => err.message);
}

function joinAs(nodeId: string, secret = `${nodeId}-secret`): Promise<MqttClient | string> {
  return attempt({ clientId: nodeClientId(nodeId), username: nodeId, password: formatMqttPassword({ joinToken: token, nodeSecret: secret }) });
}

async function eventsOf(subject: string): Promise<EventView[]> {
  return (JSON.parse(await cluster.kelvin('events', '--json')) as EventView[]).filter((e) => e.subject === subject);
}

function managerMemory(): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${cluster.manager?.pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

describe('an attacker with only the join token', () => {
  it("cannot take over a board's session by reusing its client id, however often it tries", async () => {
    const before = (await eventsOf(victim)).length;
    const refusals: string[] = [];
    const deadline = Date.now() + 3000;
    for (let i = 0; Date.now() < deadline; i++) {
      // Half the time as the victim with a made-up secret, half as a fresh id wearing the victim's client id.
      const username = i % 2 === 0 ? victim : `intruder-${i}`;
      const r = await attempt({ clientId: nodeClientId(victim), username, password: formatMqttPassword({ joinToken: token, nodeSecret: `guess-${i}` }) });
      if (typeof r !== 'string') await r.endAsync(true);
      refusals.push(typeof r === 'string' ? r : 'connected');
      await new Promise((r) => setTimeout(r, 20));
    }
    if (MOSQUITTO_PUB) {
      for (let i = 0; i < 5; i++) {
        const code = await run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(cluster.mqttPort), '--cafile', cluster.caFile, '-i', nodeClientId(victim), '-u', victim, '-P', formatMqttPassword({ joinToken: token, nodeSecret: 'x' }), '-t', nodeTopic(victim, 'telemetry'), '-m', '{}']);
        expect(code).not.toBe(0);
      }
    }
    expect(refusals.length).toBeGreaterThan(20);
    expect(refusals.filter((r) => r === 'connected')).toEqual([]);
    // Let a will (had the victim been kicked) reach the manager before looking.
    await new Promise((r) => setTimeout(r, 1500));
    const after = (await eventsOf(victim)).slice(before);
    expect(after.map((e) => e.kind)).toEqual([]);
    const node = (await cluster.nodes()).find((n) => n.id === victim);
    expect(node).toMatchObject({ status: 'ready', refusal: null });
  }, 30_000);

  it('cannot make node records by connecting; only a node that reports is registered, and --rotate --prune evicts the never-ready', async () => {
    const ghosts = ['ghost-1', 'ghost-2', 'ghost-3'];
    const quiet = await joinAs('quiet-1');
    expect(typeof quiet).not.toBe('string');
    for (const id of ghosts) {
      const c = await joinAs(id);
      if (typeof c === 'string') throw new Error(c);
      // Facts register a node but do not make it ready: a board that joined and never worked.
      await c.publishAsync(nodeTopic(id, 'facts'), JSON.stringify(factsFor(id)), { qos: 1, retain: true });
      await c.endAsync();
    }
    await waitUntil('the ghosts registered', async () => (await cluster.nodes()).length === 1 + ghosts.length, 10_000);
    expect((await cluster.nodes()).map((n) => n.id)).not.toContain('quiet-1');
    const out = await cluster.kelvin('join-token', '--rotate', '--prune');
    expect(out).toContain(`Removed 3 nodes that never became ready: ${ghosts.join(', ')}`);
    expect((await cluster.nodes()).map((n) => n.id)).toEqual([victim]);
    if (typeof quiet !== 'string') await quiet.endAsync(true);
    token = (await cluster.kelvin('join-token', '-q')).trim();
  }, 30_000);

  it('cannot store a 200 MB retained message: the broker refuses it before buffering it', async () => {
    const before = managerMemory();
    // MQTT.js logs in, then the 200 MB PUBLISH is streamed onto its socket 1 MB at a time.
    const c = await joinAs('big-1');
    if (typeof c === 'string') throw new Error(c);
    const sent = await streamRetainedPublish(c, nodeTopic('big-1', 'status'), 200_000_000);
    expect(sent).toBeLessThan(200_000_000);
    if (MOSQUITTO_PUB) {
      const code = await run('/bin/sh', [
        '-c',
        `head -c 200000000 /dev/zero | ${MOSQUITTO_PUB} -h 127.0.0.1 -p ${cluster.mqttPort} --cafile ${cluster.caFile} -i ${nodeClientId('big-2')} -u big-2 -P ${formatMqttPassword({ joinToken: token, nodeSecret: 's' })} -t ${nodeTopic('big-2', 'status')} -r -q 1 -s`,
      ]);
      expect(code).not.toBe(0);
    } else console.warn('mosquitto_pub missing: the 200 MB publish was sent by MQTT.js only');
    await waitUntil('the size refusal in the log', async () => /exceeds the \d+-byte limit; connection closed/.test(managerLog), 10_000);
    const after = managerMemory();
    const grewMb = (after.hwm - before.hwm) / 2 ** 20;
    console.log(`manager memory around 200 MB retained publishes: peak RSS +${grewMb.toFixed(1)} MB (RSS ${(before.rss / 2 ** 20).toFixed(1)} -> ${(after.rss / 2 ** 20).toFixed(1)} MB)`);
    expect(grewMb).toBeLessThan(16);
    expect((await cluster.nodes()).map((n) => n.id)).toEqual([victim]);
  }, 90_000);

  it('is cut off when it floods past its publish rate, with a log line', async () => {
    const c = await joinAs('flood-1');
    if (typeof c === 'string') throw new Error(c);
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    for (let i = 0; i < 5000 && c.connected; i++) c.publish(nodeTopic('flood-1', 'telemetry'), '{}', { qos: 0 });
    await closed;
    await waitUntil('the rate log line', async () => /node flood-1 published more than \d+\/s/.test(managerLog), 10_000);
    c.end(true);
  }, 30_000);

  it('is rate limited when it makes up 2,000 node ids, and none of them becomes a node', async () => {
    let connected = 0;
    let limited = 0;
    const ids = Array.from({ length: 2000 }, (_, i) => `made-up-${i}`);
    for (let i = 0; i < ids.length; i += 50) {
      const batch = await Promise.all(ids.slice(i, i + 50).map((id) => joinAs(id)));
      for (const r of batch) {
        if (typeof r === 'string') limited++;
        else {
          connected++;
          r.end(true);
        }
      }
    }
    console.log(`2,000 made-up node ids: ${connected} connected, ${limited} refused`);
    expect(limited).toBeGreaterThan(1500);
    expect(managerLog).toMatch(/too many join attempts from 127\.0\.0\.1/);
    expect((await cluster.nodes()).map((n) => n.id)).toEqual([victim]);
    expect((await cluster.kelvin('events', '--json')).match(/made-up-/g)).toBeNull();
  }, 120_000);
});

/**
 * Writes a retained QoS 0 PUBLISH of `bytes` zero bytes straight onto the client's socket, 1 MB at
 * a time, until it is all sent or the broker closes the connection; returns the payload bytes sent.
 */
async function streamRetainedPublish(client: MqttClient, topic: string, bytes: number): Promise<number> {
  const socket = client.stream;
  const topicBytes = Buffer.from(topic);
  let remaining = 2 + topicBytes.length + bytes;
  const length: number[] = [];
  do {
    let digit = remaining % 128;
    remaining = Math.floor(remaining / 128);
    if (remaining > 0) digit |= 0x80;
    length.push(digit);
  } while (remaining > 0);
  const header = Buffer.concat([Buffer.from([0x31, ...length]), Buffer.from([topicBytes.length >> 8, topicBytes.length & 0xff]), topicBytes]);
  let closed = false;
  socket.once('close', () => (closed = true));
  socket.on('error', () => (closed = true));
  socket.write(header);
  const chunk = Buffer.alloc(1024 * 1024);
  let sent = 0;
  while (sent < bytes && !closed) {
    const ok = socket.write(chunk);
    sent += chunk.length;
    if (!ok) await new Promise<void>((r) => {
      const done = (): void => (socket.off('drain', done), socket.off('close', done), r());
      socket.once('drain', done);
      socket.once('close', done);
    });
  }
  client.end(true);
  return sent;
}

function run(cmd: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => (clearTimeout(timer), resolve(code)));
  });
}
