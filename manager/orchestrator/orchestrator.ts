/**
 * Runs orchestration passes: after relevant store changes (debounced, so a burst is one pass), at
 * the earliest deadline a pass reported (restart delay, node timeout), and on a slow safety timer.
 * The heat policy empties hot nodes through `evacuate`, using the same start-new-then-stop-old
 * moves as drain and constraint enforcement.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../shared/logger.js';
import { isTerminal } from '../../shared/payloads/tasks.js';
import type { ManagerMetrics } from '../metrics.js';
import type { Clock, TimerHandle } from '../options.js';
import type { PlacementPolicy } from '../scheduler/types.js';
import type { Change, TaskRecord } from '../store/records.js';
import { logWriteFailure } from '../store/disk-full.js';
import type { Store } from '../store/store.js';
import { placePendingTasks, type PlacementRound } from './placement.js';
import { reconcileServices } from './reconcile.js';

export interface OrchestratorOptions {
  store: Store;
  clock: Clock;
  nodeTimeoutMs: number;
  logger: Logger;
  /** Safety pass period. */
  reconcileIntervalMs: number;
  debounceMs?: number;
  /** Heat/power policy consulted by the scheduler. */
  placementPolicy?: PlacementPolicy;
  /** Placements, scheduling latency and heat/power migrations, counted once a pass has committed. */
  metrics?: Pick<ManagerMetrics, 'placement' | 'migration'>;
  /** Tasks one pass creates, shuts down or places at most (see reconcile.ts); default DEFAULT_TASK_BUDGET. */
  taskBudget?: number;
}

/** A task leaving an evacuated node, and the node its replacement was placed on. */
export interface TaskMove {
  taskId: string;
  service: string;
  from: string;
  to: string;
  replacementId: string;
}

/** A task that stays on an evacuated node, and why. */
export interface StuckTask {
  taskId: string;
  service: string;
  reason: string;
}

export interface EvacuationResult {
  moved: TaskMove[];
  stuck: StuckTask[];
}

export class Orchestrator {
  private debounce: TimerHandle | null = null;
  private deadlineTimer: { at: number; handle: TimerHandle } | null = null;
  private safety: TimerHandle | null = null;
  private running = false;
  private startedAt = 0;
  /** Nodes being emptied (node id -> reason), until endEvacuation. */
  private readonly evacuating = new Map<string, string>();
  private readonly onChange = (changes: Change[]): void => {
    if (changes.some((c) => c.kind === 'node' || c.kind === 'service' || c.kind === 'task')) this.schedulePass();
  };

  constructor(private readonly o: OrchestratorOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.o.clock.now();
    this.o.store.on('change', this.onChange);
    this.safety = this.o.clock.every(this.o.reconcileIntervalMs, () => this.runPass());
    this.schedulePass();
  }

  stop(): void {
    this.running = false;
    this.o.store.off('change', this.onChange);
    for (const t of [this.debounce, this.safety, this.deadlineTimer?.handle]) t?.cancel();
    this.debounce = this.safety = this.deadlineTimer = null;
  }

  /** One full pass now: reconcile services, then place what is pending. */
  runPass(): void {
    this.pass();
  }

  /** A pass soon (debounced): placement answers changed outside the store (the heat policy's refusals). */
  requestPass(): void {
    this.schedulePass();
  }

  /**
   * Starts moving the node's movable replicated tasks to other nodes (replacement first, the old
   * task stops once it runs) and keeps doing so until endEvacuation. Returns where each task's
   * replacement was placed, and the tasks that stay: pinned, global, or with no node to take them.
   */
  evacuate(nodeId: string, reason: string): EvacuationResult {
    this.evacuating.set(nodeId, reason);
    const started = this.pass().filter((m) => m.task.nodeId === nodeId);
    const result: EvacuationResult = { moved: [], stuck: [] };
    const moving = new Set(started.map((m) => m.task.id));
    for (const { task, replacement } of started) {
      const placed = this.o.store.getTask(replacement.id);
      if (placed?.nodeId && placed.state !== 'pending' && placed.nodeId !== nodeId) {
        result.moved.push({ taskId: task.id, service: task.serviceName, from: nodeId, to: placed.nodeId, replacementId: placed.id });
      } else {
        result.stuck.push({ taskId: task.id, service: task.serviceName, reason: `no other node can take it: ${placed?.message || 'not placed'}` });
      }
    }
    for (const task of this.o.store.listTasks({ nodeId, desiredState: 'running' })) {
      if (moving.has(task.id) || task.state === 'pending' || isTerminal(task.state)) continue;
      const why = this.staysBecause(task);
      if (why !== null) result.stuck.push({ taskId: task.id, service: task.serviceName, reason: why });
    }
    return result;
  }

  /** The node no longer needs emptying; replacements not yet placed are withdrawn on the next pass. */
  endEvacuation(nodeId: string): void {
    if (this.evacuating.delete(nodeId)) this.schedulePass();
  }

  private staysBecause(task: TaskRecord): string | null {
    const service = this.o.store.getService(task.serviceId);
    if (!service) return null;
    if (!service.spec.thermal.movable) return 'pinned to its node (x-kelvin thermal.movable: false)';
    if (service.spec.mode === 'global') return 'a global service runs one task on every eligible node';
    return null;
  }

  private pass(): Array<{ task: TaskRecord; replacement: TaskRecord }> {
    this.debounce?.cancel();
    this.debounce = null;
    const moves: Array<{ task: TaskRecord; replacement: TaskRecord }> = [];
    let placement: { round: PlacementRound; ms: number } | null = null;
    try {
      const next = this.o.store.transaction(() => {
        const now = this.o.clock.now();
        const reconciled = reconcileServices({
          store: this.o.store,
          now,
          nodeTimeoutMs: this.o.nodeTimeoutMs,
          startedAt: this.startedAt,
          logger: this.o.logger,
          evacuating: this.evacuating,
          onMove: (task, replacement) => moves.push({ task, replacement }),
          taskBudget: this.o.taskBudget,
        });
        const started = performance.now();
        const round = placePendingTasks(this.o.store, this.o.logger, this.o.placementPolicy, this.o.taskBudget);
        placement = { round, ms: performance.now() - started };
        return { ...reconciled, more: reconciled.more || round.more };
      });
      this.armDeadline(next.deadline);
      // Bulk work goes on in the next pass, after the event loop has served the API and signals.
      if (next.more) this.schedulePass();
      this.count(moves, placement);
    } catch (err) {
      logWriteFailure(this.o.logger, err, 'orchestration pass');
      return [];
    }
    return moves;
  }

  /** Metrics of a committed pass (a pass that rolled back placed and moved nothing). */
  private count(moves: ReadonlyArray<{ task: TaskRecord }>, placement: { round: PlacementRound; ms: number } | null): void {
    const { metrics } = this.o;
    if (!metrics) return;
    if (placement && placement.round.pending > 0) metrics.placement(placement.round.placed, placement.ms);
    for (const { task } of moves) if (task.nodeId !== null && this.evacuating.has(task.nodeId)) metrics.migration();
  }

  private schedulePass(): void {
    if (!this.running || this.debounce) return;
    this.debounce = this.o.clock.after(this.o.debounceMs ?? 10, () => this.runPass());
  }

  private armDeadline(at: number | null): void {
    if (at === null || !this.running) return;
    if (this.deadlineTimer && this.deadlineTimer.at <= at) return;
    this.deadlineTimer?.handle.cancel();
    const handle = this.o.clock.after(Math.max(0, at - this.o.clock.now()), () => {
      this.deadlineTimer = null;
      this.runPass();
    });
    this.deadlineTimer = { at, handle };
  }
}
