/**
 * A control plane without sockets for orchestrator, inventory and dispatcher tests: a real SQLite
 * store in a temp dir, the real scheduler, a manual clock, and boards simulated by the messages
 * they would publish.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../shared/logger.js';
import type { NodeFacts } from '../../../shared/payloads/facts.js';
import type { Telemetry } from '../../../shared/payloads/telemetry.js';
import type { DesiredTaskSet, TaskState } from '../../../shared/payloads/tasks.js';
import { defaultServiceSpec, type ServiceSpec } from '../../../shared/service-spec.js';
import { Cluster } from '../../../manager/cluster.js';
import { Dispatcher } from '../../../manager/dispatcher/dispatcher.js';
import { Inventory } from '../../../manager/inventory/inventory.js';
import type { Clock, TimerHandle } from '../../../manager/options.js';
import { Orchestrator } from '../../../manager/orchestrator/orchestrator.js';
import { ensureClusterIdentity } from '../../../manager/store/cluster-identity.js';
import type { TaskRecord } from '../../../manager/store/records.js';
import { Store } from '../../../manager/store/store.js';

export class ManualClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; every: number | null; id: number }> = [];
  private nextId = 1;
  constructor(private t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): TimerHandle {
    return this.add(ms, fn, null);
  }
  every(ms: number, fn: () => void): TimerHandle {
    return this.add(ms, fn, ms);
  }
  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      if (due.every === null) this.timers = this.timers.filter((x) => x !== due);
      else due.at += due.every;
      due.fn();
    }
    this.t = end;
  }
  private add(ms: number, fn: () => void, every: number | null): TimerHandle {
    const timer = { at: this.t + ms, fn, every, id: this.nextId++ };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((x) => x !== timer)) };
  }
}

export const NODE_TIMEOUT_MS = 5000;

export function factsFor(id: string, over: Partial<NodeFacts> = {}): NodeFacts {
  return {
    v: 1,
    nodeId: id,
    hostname: `${id}-host`,
    arch: 'aarch64',
    os: 'linux',
    bootId: `boot-${id}`,
    board: { profile: 'generic', model: null },
    cpu: { model: null, cores: 4 },
    memoryBytes: 8 * 1024 ** 3,
    gpus: [],
    labels: {},
    engineLabels: {},
    thermalLimits: { warnC: 70, throttleC: 80, criticalC: 85, hysteresisC: 5 },
    drivers: ['docker', 'process'],
    agentVersion: '0.1.0',
    ...over,
  };
}

export function telemetryAt(ts: number, load1 = 0.5): Telemetry {
  return {
    v: 1,
    ts,
    seq: 0,
    cpuTempC: 50,
    temps: [],
    voltages: [],
    power: { underVoltageNow: null, underVoltageOccurred: null, throttledNow: null, freqCappedNow: null, softTempLimitNow: null, inputVolts: null },
    gpus: [],
    gpuStale: false,
    load1,
    memUsedBytes: null,
  };
}

export function spec(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return { ...defaultServiceSpec(name), image: 'kelvin-test/busybox:latest', command: ['sleep', '600'], ...over };
}

export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'kelvin-orch-'));
  readonly clock = new ManualClock();
  readonly store = Store.open(join(this.dir, 'kelvin.db'), { now: () => this.clock.now() });
  readonly cluster = new Cluster(this.store, this.clock);
  readonly published: Array<{ topic: string; set: DesiredTaskSet | null }> = [];
  inventory = this.newInventory();
  readonly dispatcher = new Dispatcher({
    store: this.store,
    clock: this.clock,
    logger: silentLogger(),
    publish: async (topic, payload) => {
      this.published.push({ topic, set: payload.length === 0 ? null : (JSON.parse(payload.toString()) as DesiredTaskSet) });
    },
  });
  orchestrator = this.newOrchestrator();

  constructor() {
    ensureClusterIdentity(this.store, this.dir, this.clock.now());
    this.inventory.start();
    this.dispatcher.start();
    this.orchestrator.start();
  }

  /** The manager stops, is away for `awayMs` (the boards' telemetry does not reach it), and starts again on the same store. */
  restartManager(awayMs: number): void {
    this.orchestrator.stop();
    this.inventory.stop();
    this.clock.advance(awayMs);
    this.inventory = this.newInventory();
    this.orchestrator = this.newOrchestrator();
    this.inventory.start();
    this.orchestrator.start();
  }

  private newInventory(): Inventory {
    return new Inventory({ store: this.store, clock: this.clock, nodeTimeoutMs: NODE_TIMEOUT_MS, localAgentNodeId: null, logger: silentLogger() });
  }

  private newOrchestrator(): Orchestrator {
    return new Orchestrator({ store: this.store, clock: this.clock, logger: silentLogger(), nodeTimeoutMs: NODE_TIMEOUT_MS, reconcileIntervalMs: 30_000 });
  }

  /** A board that joined, reported facts and is online. */
  addNode(id: string, facts: Partial<NodeFacts> = {}): void {
    this.store.registerNode(id, { secretHash: 'sha256:x', mosquittoHash: null }, 'worker');
    this.inventory.handle({ scope: 'node', nodeId: id, kind: 'facts', payload: factsFor(id, facts) });
    this.online(id);
    this.alive.add(id);
  }

  online(id: string): void {
    this.inventory.handle({ scope: 'node', nodeId: id, kind: 'status', payload: { v: 1, state: 'online', bootId: `boot-${id}`, clean: false, ts: this.clock.now() } });
  }

  /** The will message the broker publishes when the board's connection drops. */
  will(id: string): void {
    this.inventory.handle({ scope: 'node', nodeId: id, kind: 'status', payload: { v: 1, state: 'offline', bootId: `boot-${id}`, clean: false, ts: this.clock.now() - 1 } });
  }

  /** Boards that keep sending telemetry while time passes. */
  readonly alive = new Set<string>();

  /** Lets time pass in 500 ms steps, live boards reporting telemetry each step, passes and timers running. */
  settle(ms = 50): void {
    for (let left = ms; left > 0; left -= 500) {
      for (const id of this.alive) this.telemetry(id);
      this.clock.advance(Math.min(500, left));
    }
  }

  telemetry(id: string): void {
    this.inventory.handle({ scope: 'node', nodeId: id, kind: 'telemetry', payload: telemetryAt(this.clock.now()) });
  }

  /** What the agent on `nodeId` reports for a task. */
  report(nodeId: string, taskId: string, state: TaskState, exitCode: number | null = null): void {
    this.dispatcher.handle({
      scope: 'node',
      nodeId,
      kind: 'task-status',
      payload: {
        v: 1,
        taskId,
        generation: 1,
        state,
        exitCode,
        signal: null,
        error: state === 'failed' ? 'exited' : null,
        message: state,
        runtimeId: 'c1',
        throttled: false,
        ts: this.clock.now(),
        startedAt: null,
        finishedAt: null,
      },
    });
  }

  /** Every assigned task of the node reports running (an agent converging). */
  runAll(nodeId?: string): void {
    for (const t of this.live()) if (t.nodeId && (!nodeId || t.nodeId === nodeId) && t.state === 'assigned') this.report(t.nodeId, t.id, 'running');
    this.settle();
  }

  /** Tasks that should be running. */
  live(serviceRef?: string): TaskRecord[] {
    return this.cluster.listTasks({ service: serviceRef, desiredState: 'running' });
  }

  lastSet(nodeId: string): DesiredTaskSet | null | undefined {
    return [...this.published].reverse().find((p) => p.topic === `kelvin/v1/nodes/${nodeId}/tasks`)?.set;
  }

  close(): void {
    this.orchestrator.stop();
    this.dispatcher.stop();
    this.inventory.stop();
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
