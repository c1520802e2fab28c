/**
 * CPU cap without cgroups: in every period the task's process group runs for a slice and is
 * SIGSTOPped for the rest. The slice adapts to how many cores the task burns while it runs, so a
 * single-threaded loop capped at 0.2 cores runs 20% of the time and a four-thread one 5%.
 */
import type { CpuLimiter, TaskGroup } from './cpu-limiter.js';
import { sessionMembers, USER_HZ } from './proc.js';
import { signalGroup } from './process-group.js';

const PERIOD_MS = 100;
/** Weight of the newest measurement in the running estimate of cores used while running. */
const SMOOTHING = 0.3;
/** Below this a slice is not worth a stop/continue pair. */
const MIN_SLICE_MS = 5;

export class DutyCycleCpuLimiter implements CpuLimiter {
  readonly mechanism = 'duty-cycle';
  private cpus: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Estimated cores the group uses while it is allowed to run; 1 until measured. */
  private coresWhileRunning = 1;
  private lastTicks = 0;

  constructor(private readonly group: TaskGroup) {}

  async set(cpus: number | null): Promise<void> {
    this.cpus = cpus;
    if (cpus === null) {
      this.halt();
      return;
    }
    if (this.timer === null) {
      this.lastTicks = this.groupTicks();
      this.runSlice();
    }
  }

  async release(): Promise<void> {
    await this.set(null);
  }

  private runSlice(): void {
    const pgid = this.group();
    if (this.cpus === null || pgid === null) return this.halt();
    const share = Math.min(1, this.cpus / this.coresWhileRunning);
    const runMs = Math.max(MIN_SLICE_MS, share * PERIOD_MS);
    signalGroup(pgid, 'SIGCONT');
    this.schedule(runMs, () => this.pause(runMs));
  }

  private pause(ranMs: number): void {
    const pgid = this.group();
    if (this.cpus === null || pgid === null) return this.halt();
    const ticks = this.groupTicks();
    const used = Math.max(0, ticks - this.lastTicks) / USER_HZ / (ranMs / 1000);
    this.lastTicks = ticks;
    this.coresWhileRunning = Math.max(0.01, (1 - SMOOTHING) * this.coresWhileRunning + SMOOTHING * used);
    const stopMs = PERIOD_MS - ranMs;
    if (stopMs < MIN_SLICE_MS) return this.schedule(0, () => this.runSlice());
    signalGroup(pgid, 'SIGSTOP');
    this.schedule(stopMs, () => this.runSlice());
  }

  private schedule(ms: number, next: () => void): void {
    this.timer = setTimeout(next, ms);
    // The cycle must not keep a shutting-down agent alive; the task's own lifetime is tracked elsewhere.
    this.timer.unref();
  }

  private halt(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pgid = this.group();
    if (pgid !== null) signalGroup(pgid, 'SIGCONT');
  }

  private groupTicks(): number {
    const sid = this.group();
    return sid === null ? 0 : sessionMembers(sid).reduce((sum, p) => sum + p.cpuTicks, 0);
  }
}
