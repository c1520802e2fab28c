/**
 * The simulated task runtime: executors for both drivers that implement the real Executor /
 * Controller contract, so the agent's real Reconciler drives them. A running task is only a load
 * entry: its CPU use (the spec's CPU limit, else half a core) heats the board through the thermal
 * model, a throttle caps it, and stopping or moving the task takes the heat away.
 */
import type { TaskDriver } from '../../shared/payloads/facts.js';
import type { LogLine } from '../../shared/payloads/logs.js';
import type { TaskSpec } from '../../shared/payloads/tasks.js';
import { RuntimeError, type Controller, type ExistingTask, type Executor, type ExitInfo, type LogOptions } from '../runtime/types.js';

/** CPU a task uses when its spec sets no limit. */
export const DEFAULT_TASK_CORES = 0.5;

interface RunningTask {
  cores: number;
  gpus: number;
  throttle: number | null;
}

export class SimRuntime {
  private readonly running = new Map<string, RunningTask>();
  private readonly live = new Set<SimController>();
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {}

  /** One executor per driver, all sharing this board's load. */
  executors(): Executor[] {
    return (['process', 'docker'] as const).map((driver) => new SimExecutor(driver, this));
  }

  /** Cores the running tasks use now, after throttles. */
  cpuLoad(): number {
    let sum = 0;
    for (const t of this.running.values()) sum += t.throttle === null ? t.cores : Math.min(t.cores, t.throttle);
    return sum;
  }

  /** GPUs the running tasks keep busy. */
  gpuLoad(): number {
    let sum = 0;
    for (const t of this.running.values()) sum += t.gpus;
    return sum;
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** The board lost power: every task ends at once, as its processes would. */
  powerOff(): void {
    for (const c of [...this.live]) c.end({ exitCode: null, signal: 'SIGKILL', error: 'board lost power' });
  }

  /** @internal controller bookkeeping */
  track(controller: SimController, on: boolean): void {
    if (on) this.live.add(controller);
    else this.live.delete(controller);
  }

  /** @internal */
  setRunning(taskId: string, task: RunningTask | null): void {
    if (task) this.running.set(taskId, task);
    else this.running.delete(taskId);
  }

  /** @internal */
  runtimeId(driver: TaskDriver): string {
    return `sim-${driver}-${this.nextId++}`;
  }

  get clock(): () => number {
    return this.now;
  }
}

class SimExecutor implements Executor {
  constructor(
    readonly driver: TaskDriver,
    private readonly runtime: SimRuntime,
  ) {}

  available(): Promise<boolean> {
    return Promise.resolve(true);
  }

  controller(spec: TaskSpec): Controller {
    return new SimController(spec, this.runtime);
  }

  /** A simulated board keeps nothing across a power cycle, so there is never a task to adopt. */
  adopt(spec: TaskSpec): Controller {
    const controller = new SimController(spec, this.runtime);
    controller.end({ exitCode: null, signal: null, error: 'simulated task did not survive' });
    return controller;
  }

  listExisting(): Promise<ExistingTask[]> {
    return Promise.resolve([]);
  }
}

class SimController implements Controller {
  runtimeId: string | null = null;
  private startedAt: number | null = null;
  private exit: ExitInfo | null = null;
  private readonly exited: Promise<ExitInfo>;
  private resolveExit!: (exit: ExitInfo) => void;

  constructor(
    private readonly spec: TaskSpec,
    private readonly runtime: SimRuntime,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  get taskId(): string {
    return this.spec.id;
  }

  /** Checks what a real driver would refuse before starting anything. */
  prepare(): Promise<void> {
    if (this.spec.driver === 'docker' && !this.spec.image) return Promise.reject(new RuntimeError('docker task has no image', 'permanent'));
    if (this.spec.driver === 'process' && !this.spec.command?.length) {
      return Promise.reject(new RuntimeError('process task has no command', 'permanent'));
    }
    return Promise.resolve();
  }

  start(): Promise<void> {
    this.runtimeId = this.runtime.runtimeId(this.spec.driver);
    this.startedAt = this.runtime.clock();
    this.runtime.track(this, true);
    this.runtime.setRunning(this.spec.id, this.load(null));
    return Promise.resolve();
  }

  wait(): Promise<ExitInfo> {
    return this.exited;
  }

  stop(): Promise<void> {
    this.end({ exitCode: 143, signal: 'SIGTERM', error: null });
    return Promise.resolve();
  }

  remove(): Promise<void> {
    this.end({ exitCode: 143, signal: 'SIGTERM', error: null });
    return Promise.resolve();
  }

  setThrottle(cpus: number | null): Promise<void> {
    if (this.exit) return Promise.reject(new RuntimeError('task has ended', 'permanent'));
    this.runtime.setRunning(this.spec.id, this.load(cpus));
    return Promise.resolve();
  }

  private load(throttle: number | null): RunningTask {
    return { cores: this.spec.resources.cpus ?? DEFAULT_TASK_CORES, gpus: this.spec.resources.gpus ?? 0, throttle };
  }

  async *logs(options: LogOptions): AsyncIterable<LogLine> {
    if (this.startedAt === null) return;
    if (options.tail !== 0) yield { taskId: this.spec.id, ts: this.startedAt, stream: 'stdout', text: `simulated ${this.spec.driver} task ${this.spec.serviceName} started` };
    if (!options.follow) return;
    const aborted = new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([this.exited, aborted]);
  }

  /** Ends the task once; later calls keep the first reason. */
  end(exit: ExitInfo): void {
    if (this.exit) return;
    this.exit = exit;
    this.runtime.setRunning(this.spec.id, null);
    this.runtime.track(this, false);
    this.resolveExit(exit);
  }
}
