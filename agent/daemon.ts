/**
 * The agent: wires board sensing, the task reconciler and the MQTT session together.
 * - facts: retained, on every (re)connect and whenever a periodic re-read finds them changed;
 * - telemetry: every interval, QoS 0, by the TelemetryLoop (which also says when sampling is late);
 * - tasks: the retained desired set goes to the reconciler, whose reports go out on task-status,
 *   and all of whose statuses are republished after every reconnect (level-triggered);
 * - logs-request: answered by the LogsResponder from the reconciler's task logs;
 * - heat: at `critical` with the manager unreachable, LocalProtection caps the tasks on its own.
 * Stopping leaves tasks running: an agent restart must not kill work.
 */
import { formatMqttPassword } from '../shared/credentials.js';
import { brokerCa } from './broker-ca.js';
import type { Logger } from '../shared/logger.js';
import type { NodeFacts, TaskDriver } from '../shared/payloads/facts.js';
import type { Telemetry } from '../shared/payloads/telemetry.js';
import { loadOrCreateIdentity, markRemoved, nodeIdFromHostname, readNodeId, removedMark } from './identity.js';
import { LocalProtection } from './local-protection.js';
import { LogsResponder } from './logs-responder.js';
import { SecretsFetcher } from './secrets/secrets-fetcher.js';
import { materialsRoot, TaskMaterials } from './secrets/task-materials.js';
import { Mesh } from './mesh/mesh.js';
import { MqttSession } from './mqtt-session.js';
import type { BoardOptions, OnceOptions, RunOptions } from './options.js';
import { DockerExecutor } from './runtime/docker/index.js';
import { ProcessExecutor } from './runtime/process/index.js';
import { Reconciler } from './runtime/reconciler.js';
import type { Executor } from './runtime/types.js';
import { createBoardSensing, type BoardFacts, type BoardSensing } from './sensing.js';
import { TelemetryLoop } from './telemetry-loop.js';
import { AGENT_VERSION } from './version.js';
import { boardPlatform } from '../shared/image-platform.js';


/** The agent lifts its own CPU cap after this many telemetry intervals of cool readings (a short hold). */
export const LOCAL_COOL_READINGS = 5;

export { AGENT_VERSION };

/** Every driver this build has; each says for itself whether it can run tasks here now. */
function createExecutors(options: BoardOptions, nodeId: string, board: BoardFacts, logger: Logger, materialsRoot: string | null = null): Executor[] {
  return [
    new ProcessExecutor({ stateDir: options.stateDir, hostRoot: options.hostRoot, logger, materialsRoot }),
    // Labelled with the node id, so agents sharing one engine never adopt each other's containers.
    new DockerExecutor({ socketPath: options.dockerSocket, nodeId, platform: boardPlatform(board.os, board.arch), logger, materialsRoot }),
  ];
}

async function availableDrivers(executors: Executor[]): Promise<TaskDriver[]> {
  const found = await Promise.all(executors.map(async (e) => ((await e.available().catch(() => false)) ? e.driver : null)));
  return found.filter((d): d is TaskDriver => d !== null);
}

/** `addr`: the advertise address, once known (the manager lists this board's task endpoints only at it). */
function composeFacts(board: BoardFacts, nodeId: string, options: BoardOptions, drivers: TaskDriver[], addr: string | null = null): NodeFacts {
  return {
    v: 1,
    ...board,
    nodeId,
    hostname: options.name ?? board.hostname,
    engineLabels: options.labels,
    drivers,
    agentVersion: AGENT_VERSION,
    ...(addr !== null ? { addr } : {}),
  };
}

function sensingFor(options: BoardOptions, logger: Logger): Promise<BoardSensing> {
  return createBoardSensing({ hostRoot: options.hostRoot, hwProfilesDir: options.hwProfilesDir, logger });
}

/**
 * What the agent would report from this machine, without a broker (`kelvin agent --once`).
 * The node id is the one in the state dir if the agent ran here before, else derived from the hostname.
 */
export async function inspectBoard(options: OnceOptions, logger: Logger): Promise<{ facts: NodeFacts; telemetry: Telemetry }> {
  const sensing = await sensingFor(options, logger);
  try {
    const board = await sensing.readFacts();
    const nodeId = readNodeId(options.stateDir) ?? nodeIdFromHostname(options.name ?? board.hostname);
    const drivers = await availableDrivers(createExecutors(options, nodeId, board, logger));
    const reading = await sensing.sample();
    return { facts: composeFacts(board, nodeId, options, drivers), telemetry: { v: 1, seq: 0, ...reading } };
  } finally {
    await sensing.close();
  }
}

export interface RunningAgent {
  readonly nodeId: string;
  /** Offline (clean) status out, disconnect, release sensors; tasks keep running. */
  stop(): Promise<void>;
  /**
   * `kelvin agent leave`: asks the manager to remove this node and resolves once it has (its
   * removed set arrived and the tasks are stopped); rejects after `timeoutMs` without an answer.
   */
  leave(timeoutMs: number): Promise<void>;
}

/** How long `leave` waits for the manager to confirm. */
export const LEAVE_TIMEOUT_MS = 30_000;

/** The one line a removed node says, at removal and at every later start. */
function removedLine(how: string): string {
  return `this node was removed from the cluster (${how}): its tasks are stopped and it stays away; run \`kelvin agent leave\` to forget its identity, then start the agent again to join as a new node`;
}

/**
 * Starts the agent; it keeps reconnecting to the broker until stopped. A node the manager removed
 * stays idle instead (a service manager restarting it must not make it knock at the broker forever).
 */
export async function startAgent(options: RunOptions, logger: Logger): Promise<RunningAgent> {
  const removed = removedMark(options.stateDir);
  if (removed !== null) {
    const nodeId = readNodeId(options.stateDir) ?? 'unknown';
    logger.error({ nodeId }, removedLine(removed));
    return { nodeId, stop: async () => {}, leave: async () => {} };
  }
  const sensing = await sensingFor(options, logger);
  try {
    const board = await sensing.readFacts();
    let identity;
    try {
      identity = loadOrCreateIdentity(options.stateDir, options.name ?? board.hostname);
    } catch (err) {
      throw new Error(`cannot use state dir ${options.stateDir}: ${(err as Error).message} (run as root or pass --state-dir)`);
    }
    const ca = await brokerCa({ broker: options.broker, token: options.token, caFile: options.caFile, stateDir: options.stateDir, logger });
    const agent = new AgentDaemon(options, logger.child({ nodeId: identity.nodeId }), sensing, board, identity.nodeId, identity.nodeSecret, ca);
    await agent.start();
    return agent;
  } catch (err) {
    await sensing.close();
    throw err;
  }
}

class AgentDaemon implements RunningAgent {
  private readonly session: MqttSession;
  private readonly reconciler: Reconciler;
  private readonly logs: LogsResponder;
  private readonly secrets: SecretsFetcher;
  private readonly protection: LocalProtection;
  private readonly executors: Executor[];
  private readonly mesh: Mesh;
  private facts: NodeFacts | null = null;
  private telemetry: TelemetryLoop | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private factsTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private removed = false;
  private leaving = false;
  private readonly left: { promise: Promise<void>; resolve: () => void };

  constructor(
    private readonly options: RunOptions,
    private readonly log: Logger,
    private readonly sensing: BoardSensing,
    private board: BoardFacts,
    readonly nodeId: string,
    nodeSecret: string,
    ca: Buffer | null,
  ) {
    let resolveLeft = (): void => {};
    this.left = { promise: new Promise<void>((r) => (resolveLeft = r)), resolve: () => resolveLeft() };
    const root = materialsRoot(options.stateDir, nodeId);
    this.executors = createExecutors(options, nodeId, board, log, root);
    this.secrets = new SecretsFetcher({ nodeId, publish: (request) => this.session.publish('secrets-request', request, { qos: 1, retain: false }) });
    this.mesh = new Mesh({ logger: log });
    this.session = new MqttSession({
      url: options.broker,
      nodeId,
      password: formatMqttPassword({ joinToken: options.token, nodeSecret }),
      ca,
      keepaliveS: options.keepaliveS,
      bootId: board.bootId,
      logger: log,
      onConnect: () => this.onConnect(),
      onDisconnect: () => this.protection.setManagerReachable(false),
      onTasks: (set) => {
        if (this.reconciler.apply(set) && set.removed) void this.onRemoved();
      },
      onLogsRequest: (request) => this.logs.handle(request),
      onSecrets: (response) => this.secrets.handle(response),
      onEndpoints: (list) => this.mesh.apply(list),
    });
    this.reconciler = new Reconciler({
      executors: this.executors,
      stateDir: options.stateDir,
      logger: log,
      report: (status) => this.session.publish('task-status', this.mesh.stamp(status), { qos: 1, retain: false }),
      materials: new TaskMaterials(root, (taskId, kind, name) => this.secrets.fetch(taskId, kind, name)),
      drain: (spec) => this.mesh.drain(spec),
      prepare: (spec) => this.mesh.prepare(spec),
    });
    this.protection = new LocalProtection({
      board: () => this.board,
      apply: (cpus) => this.reconciler.setLocalThrottle(cpus),
      holdMs: LOCAL_COOL_READINGS * options.intervalMs,
      logger: log,
    });
    this.logs = new LogsResponder({
      logs: (taskId, opts) => this.reconciler.logs(taskId, opts),
      publish: (chunk) => this.session.publish('logs', chunk, { qos: 1, retain: false }),
      logger: log,
    });
  }

  async start(): Promise<void> {
    this.facts = composeFacts(this.board, this.nodeId, this.options, await availableDrivers(this.executors));
    this.log.info({ drivers: this.facts.drivers, board: this.facts.board.profile }, 'agent starting');
    await this.reconciler.start();
    this.session.start();
    // Made here, not in the constructor: the reconciler's start must not count as a late sample.
    this.telemetry = new TelemetryLoop({
      intervalMs: this.options.intervalMs,
      sample: () => this.sensing.sample(),
      observe: (reading) => this.protection.observe(reading),
      publish: (telemetry) => this.session.publish('telemetry', telemetry, { qos: 0, retain: false }),
      hasGpus: () => this.board.gpus.length > 0,
      logger: this.log,
    });
    this.telemetry.start();
    // A status report the broker dropped (Mosquitto drops QoS 1 messages past a client's queue
    // limit) is never lost for good: every status goes out again, and the manager ignores repeats.
    this.resyncTimer = setInterval(() => this.publishStatuses(), this.options.statusResyncMs);
    this.scheduleFactsRefresh();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.telemetry?.stop();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (this.factsTimer) clearTimeout(this.factsTimer);
    this.logs.close();
    this.secrets.close();
    await this.session.stop();
    await this.mesh.close();
    await this.reconciler.close();
    await this.sensing.close();
  }

  async leave(timeoutMs: number): Promise<void> {
    if (!this.removed) {
      this.leaving = true;
      this.log.info('leaving the cluster: asking the manager to remove this node');
      this.askToLeave();
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the manager did not confirm within ${Math.round(timeoutMs / 1000)} s (is it reachable at ${this.options.broker}?)`)), timeoutMs);
    });
    try {
      await Promise.race([this.left.promise, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sent again at every (re)connect until the manager answers: a leave never depends on one message. */
  private askToLeave(): void {
    if (this.leaving && !this.removed) this.session.publish('leave', { v: 1, ts: Date.now() }, { qos: 1, retain: false });
  }

  /**
   * The manager removed this node (its set says so and holds no task): once the tasks are stopped,
   * note it in the state dir and go quiet: no reconnecting, no reports (the broker refuses the
   * revoked credential anyway). The process idles until it is stopped.
   */
  private async onRemoved(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    await this.reconciler.idle();
    const how = 'kelvin node rm --force, or kelvin agent leave';
    try {
      markRemoved(this.options.stateDir, how);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'could not note the removal in the state dir');
    }
    if (this.leaving) this.log.info('left the cluster: tasks stopped');
    else this.log.error(removedLine(how));
    await this.stop();
    this.left.resolve();
  }

  private onConnect(): void {
    this.protection.setManagerReachable(true);
    const addr = this.options.advertiseAddr ?? this.session.localAddress;
    if (addr !== null) this.mesh.setAddress(addr);
    // Facts before statuses: the manager checks each task endpoint's address against them.
    if (this.facts) {
      if (addr !== null) this.facts = { ...this.facts, addr };
      this.session.publish('facts', this.facts, { qos: 1, retain: true });
    }
    this.publishStatuses();
    this.askToLeave();
  }

  private publishStatuses(): void {
    for (const status of this.reconciler.statuses()) this.session.publish('task-status', this.mesh.stamp(status), { qos: 1, retain: false });
  }

  private scheduleFactsRefresh(): void {
    this.factsTimer = setTimeout(() => {
      void this.refreshFacts().finally(() => {
        if (!this.stopped) this.scheduleFactsRefresh();
      });
    }, this.options.factsIntervalMs);
  }

  private async refreshFacts(): Promise<void> {
    try {
      this.board = await this.sensing.readFacts();
      const next = composeFacts(this.board, this.nodeId, this.options, await availableDrivers(this.executors), this.mesh.address);
      if (JSON.stringify(next) === JSON.stringify(this.facts)) return;
      this.facts = next;
      this.log.info('facts changed; republishing');
      this.session.publish('facts', next, { qos: 1, retain: true });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'facts refresh failed');
    }
  }
}
