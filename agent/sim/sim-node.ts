/**
 * One simulated agent: the agent's real MqttSession, Reconciler and LogsResponder wired to a
 * simulated board, the way agent/daemon.ts wires them to a real one (facts and task statuses on
 * every connect, telemetry with a seq from 0 per boot). Telemetry is driven from outside by the
 * fleet's shared timer wheel rather than a timer per board. Power cycles make a new boot: new
 * boot id, new session and reconciler over the same state dir, as a rebooted board would.
 */
import { formatMqttPassword } from '../../shared/credentials.js';
import type { Logger } from '../../shared/logger.js';
import type { NodeFacts } from '../../shared/payloads/facts.js';
import type { TaskStatus } from '../../shared/payloads/tasks.js';
import { AGENT_VERSION } from '../daemon.js';
import { LogsResponder } from '../logs-responder.js';
import { MqttSession } from '../mqtt-session.js';
import { Reconciler } from '../runtime/reconciler.js';
import type { NodePayload } from '../../shared/wire.js';
import type { DropRelay } from './drop-relay.js';
import { MemoryTaskRecords } from './memory-task-records.js';
import type { SimBoard } from './sim-board.js';

/** What the whole fleet counts, for the status line and the summary. */
export interface FleetCounters {
  published: number;
  telemetry: number;
  connects: number;
  reconnects: number;
  drops: number;
  tasksRun: number;
}

export function newCounters(): FleetCounters {
  return { published: 0, telemetry: 0, connects: 0, reconnects: 0, drops: 0, tasksRun: 0 };
}

export interface SimNodeOptions {
  board: SimBoard;
  brokerUrl: string;
  /** CA for an mqtts:// broker (agent/broker-ca.ts); null for mqtt:// or the system CAs. */
  ca: Buffer | null;
  token: string;
  nodeSecret: string;
  keepaliveS: number;
  logger: Logger;
  counters: FleetCounters;
  /** Set for boards a scenario drops: their connection runs through it. */
  relay: DropRelay | null;
  now: () => number;
}

/** Everything that lives for one boot of the board. */
interface Boot {
  session: MqttSession;
  reconciler: Reconciler;
  logs: LogsResponder;
  facts: NodeFacts;
  seq: number;
  sampling: boolean;
}

/** How long a dropped session may take to notice its socket is gone. */
const DROP_NOTICE_MS = 2000;

export class SimNode {
  private boot: Boot | null = null;
  private everConnected = false;
  private readonly seenRunning = new Set<string>();
  /** Task records outlive boots, like the agent's state dir on a real board's disk. */
  private readonly records = new MemoryTaskRecords();

  constructor(private readonly options: SimNodeOptions) {}

  get board(): SimBoard {
    return this.options.board;
  }

  get nodeId(): string {
    return this.options.board.nodeId;
  }

  get connected(): boolean {
    return this.boot?.session.connected ?? false;
  }

  get droppable(): boolean {
    return this.options.relay !== null;
  }

  /** Boots the board and starts its agent; it keeps reconnecting until powered off. */
  async powerOn(): Promise<void> {
    if (this.boot) return;
    const { board, logger } = this.options;
    board.powerOn();
    this.options.relay?.restore();
    const log = logger.child({ nodeId: this.nodeId });
    const reconciler = new Reconciler({
      executors: board.runtime.executors(),
      records: this.records,
      logger: log,
      report: (status) => this.report(status),
      now: this.options.now,
    });
    const facts: NodeFacts = {
      v: 1,
      ...(await board.readFacts()),
      nodeId: this.nodeId,
      engineLabels: { 'sim.board': board.type.name },
      drivers: ['process', 'docker'],
      agentVersion: AGENT_VERSION,
    };
    const session = new MqttSession({
      url: this.options.relay?.url ?? this.options.brokerUrl,
      nodeId: this.nodeId,
      password: formatMqttPassword({ joinToken: this.options.token, nodeSecret: this.options.nodeSecret }),
      ca: this.options.ca,
      keepaliveS: this.options.keepaliveS,
      bootId: board.bootId,
      logger: log,
      onConnect: () => this.onConnect(),
      onTasks: (set) => reconciler.apply(set),
      onLogsRequest: (request) => this.boot?.logs.handle(request),
      now: this.options.now,
    });
    const logs = new LogsResponder({
      logs: (taskId, opts) => reconciler.logs(taskId, opts),
      publish: (chunk) => this.publish('logs', chunk, 1),
      logger: log,
    });
    this.boot = { session, reconciler, logs, facts, seq: 0, sampling: false };
    await reconciler.start();
    session.start();
  }

  /**
   * Power goes. `clean: false` cuts the connection without a goodbye, so the broker publishes
   * the will (offline, clean: false); `clean: true` is an orderly shutdown with a clean offline.
   */
  async powerOff(clean: boolean): Promise<void> {
    const boot = this.boot;
    if (!boot) return;
    this.boot = null;
    if (!clean) {
      if (!this.options.relay) throw new Error(`${this.nodeId} cannot drop uncleanly: it has no relay`);
      this.options.relay.cut();
      this.options.counters.drops++;
      await waitUntil(() => !boot.session.connected, DROP_NOTICE_MS);
    }
    boot.logs.close();
    await boot.session.stop();
    await boot.reconciler.close();
    this.options.board.powerOff();
  }

  /** Publishes one telemetry sample now (the fleet's wheel calls this once per interval). */
  async sampleTelemetry(): Promise<void> {
    const boot = this.boot;
    if (!boot || boot.sampling || !boot.session.connected) return;
    boot.sampling = true;
    try {
      const reading = await this.options.board.sample();
      if (this.publish('telemetry', { v: 1, seq: boot.seq, ...reading }, 0)) this.options.counters.telemetry++;
      // Like the agent: seq counts samples from start, published or not, so gaps show losses.
      boot.seq++;
    } finally {
      boot.sampling = false;
    }
  }

  private onConnect(): void {
    const boot = this.boot;
    if (!boot) return;
    const counters = this.options.counters;
    counters.connects++;
    if (this.everConnected) counters.reconnects++;
    this.everConnected = true;
    this.publish('facts', boot.facts, 1, true);
    for (const status of boot.reconciler.statuses()) this.publish('task-status', status, 1);
  }

  private report(status: TaskStatus): void {
    if (status.state === 'running' && !this.seenRunning.has(status.taskId)) {
      this.seenRunning.add(status.taskId);
      this.options.counters.tasksRun++;
    }
    this.publish('task-status', status, 1);
  }

  private publish<K extends 'facts' | 'telemetry' | 'task-status' | 'logs'>(
    kind: K,
    payload: NodePayload<K>,
    qos: 0 | 1,
    retain = false,
  ): boolean {
    const sent = this.boot?.session.publish(kind, payload, { qos, retain }) ?? false;
    if (sent) this.options.counters.published++;
    return sent;
  }
}

function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = (): void => {
      if (condition() || Date.now() >= deadline) resolve();
      else setTimeout(check, 20);
    };
    check();
  });
}
