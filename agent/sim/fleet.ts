/**
 * `kelvin sim`'s runner: builds N simulated boards by the mix, connects them to the broker spread
 * over the ramp, drives all their telemetry from one timer wheel, runs the scenario, prints a
 * status line every few seconds, and on the end (duration or signal) shuts every board down
 * cleanly and returns the summary.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from '../../shared/logger.js';
import { brokerCa } from '../broker-ca.js';
import { BOARD_TYPES, loadThermalLimits, splitByMix, type BoardTypeName } from './board-types.js';
import { DropRelay } from './drop-relay.js';
import type { SimOptions } from './options.js';
import { createPrng, deriveSeed } from './prng.js';
import { SCENARIOS, type ScenarioContext } from './scenarios/index.js';
import { SimBoard } from './sim-board.js';
import { newCounters, SimNode, type FleetCounters } from './sim-node.js';
import { TickWheel } from './tick-wheel.js';

export interface FleetSummary {
  scenario: string;
  seed: number;
  boards: number;
  mix: Partial<Record<BoardTypeName, number>>;
  durationS: number;
  connectedAtEnd: number;
  messagesPublished: number;
  telemetryPublished: number;
  /** Telemetry samples per second actually published, against boards / interval. */
  telemetryPerSecond: number;
  telemetryPerSecondTarget: number;
  connects: number;
  reconnects: number;
  drops: number;
  tasksRun: number;
  tasksRunningAtEnd: number;
  hottest: { nodeId: string; tempC: number; throttleC: number } | null;
  /** Share of one core the simulator used, averaged over the run. */
  cpuPercent: number;
  rssBytes: number;
}

export interface FleetDeps {
  logger: Logger;
  /** Where status lines go (stderr in the CLI). */
  status: (line: string) => void;
  /** Ends the run early (SIGINT / SIGTERM). */
  signal?: AbortSignal;
}

/** The scenario's random stream, apart from every board's. */
const SCENARIO_STREAM = 0x5ce7a210;

/** The node's MQTT secret, derived from the join token: the same across runs, so re-runs are accepted. */
function simNodeSecret(token: string, nodeId: string): string {
  return createHmac('sha256', token).update(`kelvin-sim:${nodeId}`).digest('hex').slice(0, 32);
}

/** The node ids a run gives its boards (benchmarks register them with a manager beforehand). */
export function nodeIds(options: Pick<SimOptions, 'nodes' | 'mix' | 'prefix'>): Array<{ nodeId: string; type: BoardTypeName }> {
  const width = Math.max(4, String(options.nodes).length);
  const out: Array<{ nodeId: string; type: BoardTypeName }> = [];
  for (const [type, count] of splitByMix(options.nodes, options.mix)) {
    for (let i = 0; i < count; i++) out.push({ nodeId: `${options.prefix}-${type}-${String(out.length + 1).padStart(width, '0')}`, type });
  }
  return out;
}

class Fleet {
  readonly counters: FleetCounters = newCounters();
  readonly nodes: SimNode[] = [];
  private readonly relays: DropRelay[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wheel: TickWheel<SimNode>;
  private readonly startedAt = Date.now();
  private readonly cpuAtStart = process.cpuUsage();
  private ended = false;

  constructor(
    private readonly options: SimOptions,
    private readonly deps: FleetDeps,
  ) {
    this.wheel = new TickWheel<SimNode>(options.intervalMs, TickWheel.slotsFor(options.intervalMs), (node) => {
      node.sampleTelemetry().catch((err: unknown) => this.deps.logger.warn({ nodeId: node.nodeId, err }, 'simulated sample failed'));
    });
  }

  async run(): Promise<FleetSummary> {
    const { options } = this;
    const scenario = SCENARIOS[options.scenario](options.params, createPrng(deriveSeed(options.seed, SCENARIO_STREAM)), options.nodes);
    const dropped = new Set(scenario.dropped);
    const limits = loadThermalLimits();
    const ca = await brokerCa({ broker: options.broker, token: options.token, caFile: options.caFile, stateDir: null, logger: this.deps.logger });
    try {
      for (const [index, { nodeId, type }] of nodeIds(options).entries()) {
        const relay = dropped.has(index) ? await DropRelay.open(options.broker) : null;
        if (relay) this.relays.push(relay);
        const board = new SimBoard({ nodeId, type: BOARD_TYPES[type], limits: limits[type], random: createPrng(deriveSeed(options.seed, index)), now: Date.now });
        const node = new SimNode({
          board,
          brokerUrl: options.broker,
          ca,
          token: options.token,
          nodeSecret: simNodeSecret(options.token, nodeId),
          keepaliveS: options.keepaliveS,
          logger: this.deps.logger,
          counters: this.counters,
          relay,
          now: Date.now,
        });
        this.nodes.push(node);
        this.wheel.add(node);
        this.at((index * options.rampMs) / options.nodes, () => node.powerOn());
      }
      this.wheel.start();
      scenario.start(this.scenarioContext());
      await this.waitForEnd();
      return await this.summary();
    } finally {
      await this.shutdown();
    }
  }

  private scenarioContext(): ScenarioContext {
    return { nodes: this.nodes, at: (ms, action) => this.at(ms, action), note: (text) => this.deps.status(`kelvin sim: ${text}`) };
  }

  /** A one-shot timer the end of the run cancels; its failure is logged, never thrown. */
  private at(delayMs: number, action: () => void | Promise<void>): void {
    if (this.ended) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.ended) return;
      Promise.resolve()
        .then(action)
        .catch((err: unknown) => this.deps.logger.error({ err }, 'simulation step failed'));
    }, delayMs);
    this.timers.add(timer);
  }

  private waitForEnd(): Promise<void> {
    return new Promise((resolve) => {
      const status = setInterval(() => this.deps.status(this.statusLine()), this.options.statusEveryMs);
      const finish = (): void => {
        clearInterval(status);
        clearTimeout(deadline);
        this.deps.signal?.removeEventListener('abort', finish);
        resolve();
      };
      const deadline = setTimeout(finish, this.options.durationMs);
      if (this.deps.signal?.aborted) finish();
      else this.deps.signal?.addEventListener('abort', finish, { once: true });
    });
  }

  private hottest(): FleetSummary['hottest'] {
    let best: FleetSummary['hottest'] = null;
    for (const node of this.nodes) {
      const tempC = node.board.cpuTempC();
      if (!best || tempC > best.tempC) best = { nodeId: node.nodeId, tempC: Math.round(tempC * 10) / 10, throttleC: node.board.limits.throttleC };
    }
    return best;
  }

  private tasksRunning(): number {
    return this.nodes.reduce((sum, n) => sum + n.board.runtime.runningCount, 0);
  }

  private statusLine(): string {
    const elapsedS = Math.round((Date.now() - this.startedAt) / 1000);
    const connected = this.nodes.filter((n) => n.connected).length;
    const hot = this.hottest();
    const hottest = hot ? `hottest ${hot.nodeId} ${hot.tempC.toFixed(1)} C (throttle ${hot.throttleC} C)` : 'no boards';
    return `kelvin sim: ${elapsedS}s  connected ${connected}/${this.nodes.length}  tasks running ${this.tasksRunning()}  ${hottest}  published ${this.counters.published}`;
  }

  private async summary(): Promise<FleetSummary> {
    const elapsedMs = Date.now() - this.startedAt;
    const cpu = process.cpuUsage(this.cpuAtStart);
    const mix: FleetSummary['mix'] = {};
    for (const node of this.nodes) mix[node.board.type.name] = (mix[node.board.type.name] ?? 0) + 1;
    const c = this.counters;
    return {
      scenario: this.options.scenario,
      seed: this.options.seed,
      boards: this.nodes.length,
      mix,
      durationS: Math.round(elapsedMs / 100) / 10,
      connectedAtEnd: this.nodes.filter((n) => n.connected).length,
      messagesPublished: c.published,
      telemetryPublished: c.telemetry,
      telemetryPerSecond: Math.round((c.telemetry / elapsedMs) * 10_000) / 10,
      telemetryPerSecondTarget: Math.round((this.nodes.length / this.options.intervalMs) * 10_000) / 10,
      connects: c.connects,
      reconnects: c.reconnects,
      drops: c.drops,
      tasksRun: c.tasksRun,
      tasksRunningAtEnd: this.tasksRunning(),
      hottest: this.hottest(),
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
      rssBytes: process.memoryUsage().rss,
    };
  }

  /** Every board says goodbye (clean offline), then the relays go. */
  private async shutdown(): Promise<void> {
    this.ended = true;
    this.wheel.stop();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.nodes.map((n) => n.powerOff(true).catch((err: unknown) => this.deps.logger.warn({ nodeId: n.nodeId, err }, 'clean shutdown failed'))));
    await Promise.all(this.relays.map((r) => r.close()));
  }
}

/** Runs the fleet until the duration passes or the signal aborts; resolves with the summary. */
export function runFleet(options: SimOptions, deps: FleetDeps): Promise<FleetSummary> {
  return new Fleet(options, deps).run();
}
