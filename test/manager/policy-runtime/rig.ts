/**
 * A real manager (embedded broker, SQLite in a temp dir) on a hand-driven clock, a real HTTP
 * webhook receiver, and mqtt.js clients acting as boards whose temperature and power the test sets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { startManager, type RunningManager } from '../../../manager/manager.js';
import type { ManagerOptionsInput } from '../../../manager/options.js';
import { formatMqttPassword, nodeClientId } from '../../../shared/credentials.js';
import { silentLogger } from '../../../shared/logger.js';
import type { Alert } from '../../../shared/payloads/alert.js';
import type { NodeFacts } from '../../../shared/payloads/facts.js';
import type { DesiredTaskSet } from '../../../shared/payloads/tasks.js';
import { ALERTS_TOPIC } from '../../../shared/topics.js';
import { freePort } from '../../helpers/mosquitto.js';
import { eventually } from '../broker/broker-client.js';
import { factsFor, ManualClock } from '../orchestrator/harness.js';

export interface PowerSample {
  underVoltageNow?: boolean;
  underVoltageOccurred?: boolean;
  inputVolts?: number | null;
}

/** A board over MQTT: facts and online status on connect, telemetry only when the test sends it. */
export class Board {
  readonly sets: DesiredTaskSet[] = [];
  private seq = 0;
  client: MqttClient | null = null;

  constructor(
    readonly id: string,
    private readonly rig: Rig,
    readonly facts: NodeFacts,
  ) {}

  async connect(bootId = this.facts.bootId): Promise<void> {
    const base = `kelvin/v1/nodes/${this.id}`;
    const status = (state: 'online' | 'offline'): string => JSON.stringify({ v: 1, state, bootId, clean: false, ts: this.rig.clock.now() });
    const client = await mqtt.connectAsync(this.rig.manager.mqttUrl, {
      username: this.id,
      password: formatMqttPassword({ joinToken: this.rig.manager.cluster.joinToken(), nodeSecret: `${this.id}-secret` }),
      clientId: nodeClientId(this.id),
      reconnectPeriod: 0,
      will: { topic: `${base}/status`, payload: Buffer.from(status('offline')), qos: 1, retain: true },
    });
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/tasks') && payload.length > 0) this.sets.push(JSON.parse(payload.toString()) as DesiredTaskSet);
    });
    await client.subscribeAsync(`${base}/tasks`, { qos: 1 });
    await client.publishAsync(`${base}/facts`, JSON.stringify({ ...this.facts, bootId }), { qos: 1, retain: true });
    await client.publishAsync(`${base}/status`, status('online'), { qos: 1, retain: true });
    this.client = client;
    await this.rig.until(() => this.rig.manager.cluster.getNode(this.id).status === 'ready' && this.rig.manager.cluster.getNode(this.id).bootId === bootId, `${this.id} ready`);
  }

  /** One telemetry sample, waited for until the manager has taken it in. */
  async sample(cpuTempC: number, power: PowerSample = {}, load1 = 0.3): Promise<void> {
    const seq = this.seq++;
    const t = {
      v: 1,
      ts: this.rig.clock.now(),
      seq,
      cpuTempC,
      temps: [],
      voltages: [],
      power: { underVoltageNow: false, underVoltageOccurred: false, throttledNow: false, freqCappedNow: false, softTempLimitNow: false, inputVolts: null, ...power },
      gpus: [],
      gpuStale: false,
      load1,
      memUsedBytes: null,
    };
    this.client?.publish(`kelvin/v1/nodes/${this.id}/telemetry`, JSON.stringify(t), { qos: 1 });
    await eventually(() => this.rig.manager.store.getTelemetry(this.id)?.seq === seq, 5000, `telemetry ${seq} of ${this.id}`);
  }

  /** A sample every second of manager time for `seconds` seconds. */
  async hold(seconds: number, cpuTempC: number, power: PowerSample = {}): Promise<void> {
    for (let i = 0; i < seconds; i++) {
      this.rig.clock.advance(1000);
      await this.sample(cpuTempC, power);
    }
  }

  report(taskId: string, state: string): void {
    const generation = this.lastSet()?.generation ?? 0;
    const status = { v: 1, taskId, generation, state, exitCode: null, signal: null, error: null, message: state, runtimeId: `rt-${taskId}`, throttled: false, ts: this.rig.clock.now(), startedAt: null, finishedAt: null };
    this.client?.publish(`kelvin/v1/nodes/${this.id}/task-status`, JSON.stringify(status), { qos: 1 });
  }

  lastSet(): DesiredTaskSet | undefined {
    return this.sets[this.sets.length - 1];
  }

  /** The connection vanishes (power cut): the broker publishes the will. */
  async vanish(): Promise<void> {
    const client = this.client;
    this.client = null;
    client?.stream.destroy();
    await this.rig.until(() => this.rig.manager.cluster.getNode(this.id).status === 'down', `${this.id} down`);
    await client?.endAsync(true);
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true);
    this.client = null;
  }
}

export class Rig {
  readonly mqttAlerts: Alert[] = [];
  private readonly boards: Board[] = [];

  private constructor(
    readonly manager: RunningManager,
    readonly clock: ManualClock,
    /** What the webhook receiver was POSTed, in arrival order. */
    readonly webhook: Alert[],
    private readonly server: Server,
    private readonly dir: string,
  ) {}

  static async start(options: Partial<ManagerOptionsInput> = {}): Promise<Rig> {
    const dir = mkdtempSync(join(tmpdir(), 'kelvin-policy-'));
    const received: Alert[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as Alert);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const clock = new ManualClock();
    const manager = await startManager(
      { dataDir: dir, mqttHost: '127.0.0.1', mqttPort: await freePort(), insecureMqtt: true, nodeTimeoutMs: 120_000, clock, alertWebhooks: [webhookUrl], ...options },
      { logger: silentLogger() },
    );
    const rig = new Rig(manager, clock, received, server, dir);
    await manager.mqtt.subscribeAsync(ALERTS_TOPIC, { qos: 1 });
    manager.mqtt.on('message', (topic, payload) => {
      if (topic === ALERTS_TOPIC) rig.mqttAlerts.push(JSON.parse(payload.toString()) as Alert);
    });
    return rig;
  }

  async board(id: string, over: Partial<NodeFacts> = {}): Promise<Board> {
    const board = new Board(id, this, factsFor(id, over));
    this.boards.push(board);
    await board.connect();
    return board;
  }

  /** Polls `check`, letting manager time run 20 ms a poll so debounced passes happen. */
  until<T>(check: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
    return eventually(() => {
      this.clock.advance(20);
      return check();
    }, ms, what);
  }

  alerts(kind?: Alert['kind']): Alert[] {
    return this.manager.alerts.list({ kind });
  }

  async close(): Promise<void> {
    for (const b of this.boards) await b.close();
    await this.manager.stop();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
