/**
 * Runs orchestration passes: after relevant store changes (debounced, so a burst is one pass), at
 * the earliest deadline a pass reported (restart delay, node timeout), and on a slow safety timer.
 */
import type { Logger } from '../../shared/logger.js';
import type { Clock, TimerHandle } from '../options.js';
import type { PlacementPolicy } from '../scheduler/types.js';
import type { Change } from '../store/records.js';
import type { Store } from '../store/store.js';
import { placePendingTasks } from './placement.js';
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
}

export class Orchestrator {
  private debounce: TimerHandle | null = null;
  private deadlineTimer: { at: number; handle: TimerHandle } | null = null;
  private safety: TimerHandle | null = null;
  private running = false;
  private readonly onChange = (changes: Change[]): void => {
    if (changes.some((c) => c.kind === 'node' || c.kind === 'service' || c.kind === 'task')) this.schedulePass();
  };

  constructor(private readonly o: OrchestratorOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
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
    this.debounce?.cancel();
    this.debounce = null;
    try {
      const deadline = this.o.store.transaction(() => {
        const now = this.o.clock.now();
        const next = reconcileServices({ store: this.o.store, now, nodeTimeoutMs: this.o.nodeTimeoutMs, logger: this.o.logger });
        placePendingTasks(this.o.store, this.o.logger, this.o.placementPolicy);
        return next;
      });
      this.armDeadline(deadline);
    } catch (err) {
      this.o.logger.error({ err }, 'orchestration pass failed; will retry on the next change or safety pass');
    }
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
