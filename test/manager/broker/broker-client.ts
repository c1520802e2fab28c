/** Real mqtt.js clients acting as boards and as the manager against a broker under test. */
import mqtt, { type MqttClient } from 'mqtt';
import { connect as netConnect, type Socket } from 'node:net';
import { formatMqttPassword, nodeClientId } from '../../../shared/credentials.js';
import { isValidNodeId } from '../../../shared/topics.js';

export async function connectBoard(url: string, nodeId: string, joinToken: string, nodeSecret: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    username: nodeId,
    password: formatMqttPassword({ joinToken, nodeSecret }),
    clientId: nodeClientId(nodeId),
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
}

/** Logs in as `username`; a node id connects with its own client id, as the broker demands. */
export async function connectAs(url: string, username: string, password: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { username, password, reconnectPeriod: 0, connectTimeout: 5000, ...(isValidNodeId(username) ? { clientId: nodeClientId(username) } : {}) });
}

/** Messages a client receives, and a way to wait for one. */
export function collect(client: MqttClient): { messages: Array<{ topic: string; payload: string }>; waitFor(topic: string, ms?: number): Promise<string> } {
  const messages: Array<{ topic: string; payload: string }> = [];
  const waiters: Array<{ topic: string; resolve: (p: string) => void }> = [];
  client.on('message', (topic, payload) => {
    messages.push({ topic, payload: payload.toString() });
    for (const w of waiters.filter((x) => x.topic === topic)) w.resolve(payload.toString());
  });
  return {
    messages,
    waitFor(topic, ms = 3000) {
      const seen = messages.find((m) => m.topic === topic);
      if (seen) return Promise.resolve(seen.payload);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no message on ${topic} within ${ms} ms`)), ms);
        waiters.push({ topic, resolve: (p) => (clearTimeout(timer), resolve(p)) });
      });
    },
  };
}

/** Resolves when the client's connection closes (the broker dropped it). */
export function closed(client: MqttClient, ms = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    client.once('close', () => (clearTimeout(timer), resolve(true)));
  });
}

/** QoS granted per topic filter; 128 = refused (mqtt.js rejects then, with the SUBACK attached). */
export async function subscribeGranted(client: MqttClient, topics: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(topics, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    const packet = (err as { packet?: { granted?: Array<number | { qos: number }> } }).packet;
    if (!packet?.granted) throw err;
    return packet.granted.map((g) => (typeof g === 'number' ? g : g.qos));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A board as the manager sees it over MQTT, without a real agent: on every (re)connect it
 * publishes retained facts and online status and subscribes to its desired set; it sends
 * telemetry every 500 ms and can report task status.
 */
export class SimulatedBoard {
  readonly sets: Array<{ generation: number; tasks: Array<{ id: string }> }> = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private seq = 0;

  private constructor(
    readonly nodeId: string,
    readonly client: MqttClient,
    private readonly facts: object,
  ) {}

  static async connect(url: string, nodeId: string, joinToken: string, secret: string, facts: object): Promise<SimulatedBoard> {
    const client = mqtt.connect(url, {
      username: nodeId,
      password: formatMqttPassword({ joinToken, nodeSecret: secret }),
      clientId: nodeClientId(nodeId),
      reconnectPeriod: 200,
      connectTimeout: 3000,
      will: { topic: `kelvin/v1/nodes/${nodeId}/status`, payload: Buffer.from(JSON.stringify({ v: 1, state: 'offline', bootId: 'boot-1', clean: false, ts: Date.now() })), qos: 1, retain: true },
    });
    const board = new SimulatedBoard(nodeId, client, facts);
    client.on('connect', () => board.announce());
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/tasks') && payload.length > 0) board.sets.push(JSON.parse(payload.toString()) as { generation: number; tasks: Array<{ id: string }> });
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    board.timer = setInterval(() => board.telemetry(), 500);
    return board;
  }

  private announce(): void {
    const base = `kelvin/v1/nodes/${this.nodeId}`;
    this.client.publish(`${base}/facts`, JSON.stringify(this.facts), { qos: 1, retain: true });
    this.client.publish(`${base}/status`, JSON.stringify({ v: 1, state: 'online', bootId: 'boot-1', clean: false, ts: Date.now() }), { qos: 1, retain: true });
    this.client.subscribe(`${base}/tasks`, { qos: 1 });
  }

  private telemetry(): void {
    if (!this.client.connected) return;
    const power = { underVoltageNow: false, underVoltageOccurred: false, throttledNow: false, freqCappedNow: false, softTempLimitNow: false, inputVolts: null };
    const t = { v: 1, ts: Date.now(), seq: this.seq++, cpuTempC: 48.5, temps: [], voltages: [], power, gpus: [], gpuStale: false, load1: 0.2, memUsedBytes: null };
    this.client.publish(`kelvin/v1/nodes/${this.nodeId}/telemetry`, JSON.stringify(t), { qos: 0 });
  }

  report(taskId: string, state: string, generation: number): void {
    const status = { v: 1, taskId, generation, state, exitCode: null, signal: null, error: null, message: state, runtimeId: 'c-1', throttled: false, ts: Date.now(), startedAt: Date.now(), finishedAt: null };
    this.client.publish(`kelvin/v1/nodes/${this.nodeId}/task-status`, JSON.stringify(status), { qos: 1 });
  }

  lastSet(): { generation: number; tasks: Array<{ id: string }> } | undefined {
    return this.sets[this.sets.length - 1];
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.client.endAsync(true);
  }
}

/**
 * Polls `check` until it returns a value other than undefined/false, or fails after `ms`. A throw
 * counts as "not yet" (a node looked up before it has registered), and is reported on timeout.
 */
export async function eventually<T>(check: () => T | undefined | false, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    let last: unknown = null;
    try {
      const v = check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(25);
  }
}

/** MQTT's variable-length "remaining length": 7 bits a byte, high bit set while more follow. */
function remainingLength(n: number): number[] {
  const bytes: number[] = [];
  do {
    bytes.push((n % 128) | (n >= 128 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return bytes;
}

/**
 * A board whose connection went half-open: a bare socket that sends one MQTT CONNECT and then
 * nothing, not even the pings its keepalive promises (MQTT.js would ping). Resolves after CONNACK 0.
 */
export async function silentBoard(port: number, nodeId: string, joinToken: string, nodeSecret: string, keepaliveS: number): Promise<Socket> {
  const str = (v: string): Buffer => {
    const b = Buffer.from(v);
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  const flags = 0x80 | 0x40 | 0x02; // username, password, clean session
  const body = Buffer.concat([str('MQTT'), Buffer.from([4, flags, keepaliveS >> 8, keepaliveS & 0xff]), str(nodeClientId(nodeId)), str(nodeId), str(formatMqttPassword({ joinToken, nodeSecret }))]);
  const socket = netConnect(port, '127.0.0.1');
  socket.write(Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]));
  const connack = await new Promise<Buffer>((resolve, reject) => {
    socket.once('data', resolve);
    socket.once('error', reject);
  });
  if (connack[0] !== 0x20 || connack[3] !== 0) throw new Error(`silentBoard: refused (CONNACK ${connack[3]})`);
  return socket;
}
