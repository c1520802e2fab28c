/**
 * The agent's reconcile loop: converges the tasks running on this node on the manager's desired
 * set. It starts what is missing, stops what is no longer listed (which also fences stale copies
 * when a node returns after its work was moved), applies each task's throttle, and reports every
 * state change. Level-triggered and idempotent: replaying a set, or converging after a crash,
 * never starts a second copy or restarts a task that ended (the manager's restart policy replaces
 * ended tasks under new ids).
 */
import type { Logger } from '../../shared/logger.js';
import type { TaskDriver } from '../../shared/payloads/facts.js';
import type { LogLine } from '../../shared/payloads/logs.js';
import { assignHostPorts, boundPorts, withImagePorts } from '../mesh/task-ports.js';
import { isTerminal, type DesiredTaskSet, type TaskSpec, type TaskStatus } from '../../shared/payloads/tasks.js';
import { judgeDesiredSet, NOTHING_APPLIED, type AppliedSet } from './applied-set.js';
import { FINISHED_LOG_LINES, FinishedLogs } from './finished-logs.js';
import type { TaskMaterials } from '../secrets/task-materials.js';
import { isSafeTaskId } from './task-dir.js';
import { TaskRecords, type TaskRecord, type TaskRecordStore } from './task-records.js';
import { retryTemporary, type StepOutcome } from './task-retry.js';
import { assignedStatus, endedState, unhealthyEnd } from './task-status.js';
import type { HealthMonitor, HealthReport } from './health/types.js';
import { unhealthyReason } from '../../shared/healthcheck.js';
import { ImagePlatformError, type Controller, type ExistingTask, type Executor, type ExitInfo, type LogOptions } from './types.js';

interface ReconcilerBaseOptions {
  executors: Executor[];
  logger: Logger;
  /** Called on every task state change. */
  report: (status: TaskStatus) => void;
  /**
   * Before a task with published ports is stopped: keep new connections away from it and wait for
   * open ones to finish, up to its stop grace period (the routing mesh's connection draining).
   */
  drain?: (spec: TaskSpec) => Promise<void>;
  /** The spec a task starts with (host ports, reach by name); by default host ports only. */
  prepare?: (spec: TaskSpec) => Promise<TaskSpec>;
  now?: () => number;
  /**
   * Writes a task's secrets and configs before it is prepared and removes them when it ends;
   * start() sweeps what no task holds and writes again those an adopted task lost.
   */
  materials?: Pick<TaskMaterials, 'prepare' | 'remove' | 'sweep' | 'complete'>;
}

/**
 * Task records live under <stateDir>/tasks/ (the agent), or in a given store: the simulator keeps
 * a thousand boards' records in memory, since synchronous file writes for every task state change
 * of every board stalled its one event loop for seconds when desired sets arrived.
 */
export type ReconcilerOptions = ReconcilerBaseOptions & ({ stateDir: string } | { records: TaskRecordStore });

interface TaskEntry {
  spec: TaskSpec;
  status: TaskStatus;
  controller: Controller | null;
  /** False once a desired set no longer lists the task. */
  desired: boolean;
  /** A drop is queued or running; cleared when it could not finish, so the next apply retries it. */
  dropping: boolean;
  /** Set when the agent stops the task: its end is then `shutdown`, not `failed`. */
  stopping: boolean;
  /** Lifecycle steps (launch, then stop and removal) run one after the other. */
  work: Promise<void>;
  /** Handling of the task's end, once it runs. */
  ended: Promise<void> | null;
  /** CPU cap the controller has now; throttle updates run in order on `throttling`. */
  appliedThrottle: number | null;
  throttling: Promise<void>;
  /** Cancels backoff waits when the task is dropped or the reconciler closes. */
  abort: AbortController;
  /** The task's health source while it runs with a check. */
  health: HealthMonitor | null;
  /** Set when the check turned the task unhealthy: the reason its end reports. */
  unhealthy: string | null;
  /** When a health report last went out; results that change nothing are sent at most every HEALTH_LOG_REPORT_MS. */
  healthSentAt: number;
}

/** Check results that leave the health state as it was are reported at most this often. */
const HEALTH_LOG_REPORT_MS = 10_000;

/** A task a driver found on the node after an agent restart. */
type FoundTask = ExistingTask & { executor: Executor };

export class Reconciler {
  private readonly tasks = new Map<string, TaskEntry>();
  private readonly executors = new Map<TaskDriver, Executor>();
  private readonly records: TaskRecordStore;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly finished = new FinishedLogs();
  /** Found tasks that have no record; the first apply() settles them. */
  private unrecorded: FoundTask[] = [];
  /** Aborted by close(): ends retries of steps that must finish even for dropped tasks. */
  private readonly closing = new AbortController();
  private applied: AppliedSet = NOTHING_APPLIED;
  private localThrottle: number | null = null;
  private closed = false;

  constructor(private readonly options: ReconcilerOptions) {
    for (const e of options.executors) this.executors.set(e.driver, e);
    this.records = 'records' in options ? options.records : new TaskRecords(options.stateDir);
    this.now = options.now ?? Date.now;
    this.log = options.logger;
  }

  async start(): Promise<void> {
    const { records, problems } = this.records.load();
    for (const p of problems) this.log.warn(p, 'ignoring an unreadable task record');
    const existing = await this.listExisting();
    // Records written before incarnations existed: their highest generation, of no incarnation.
    this.applied = this.records.loadApplied() ?? { ...NOTHING_APPLIED, generation: Math.max(-1, ...records.map((r) => r.generation)) };
    const settling: Promise<void>[] = [];
    for (const record of records) {
      const found = existing.get(record.taskId);
      existing.delete(record.taskId);
      const ended = this.restore(record, found);
      if (ended) settling.push(ended);
    }
    this.unrecorded = [...existing.values()];
    this.sweepMaterials();
    await Promise.all(settling);
  }

  /**
   * Secrets and configs a crashed agent left on the board: only the tasks found running (adopted,
   * or unrecorded until the first set decides) keep theirs; the rest are removed now. An adopted
   * task whose files are gone (someone cleared /run) gets them again from the manager.
   */
  private sweepMaterials(): void {
    const materials = this.options.materials;
    if (!materials) return;
    const adopted = [...this.tasks.values()].filter((e) => e.controller !== null && !isTerminal(e.status.state));
    const keep = new Set([...adopted.map((e) => e.spec.id), ...this.unrecorded.map((t) => t.taskId)]);
    try {
      const removed = materials.sweep(keep);
      if (removed.length > 0) this.log.info({ tasks: removed.slice(0, 20), count: removed.length }, 'removed the secrets and configs of tasks this agent no longer runs');
    } catch (err) {
      this.log.warn({ err }, 'could not sweep the secrets and configs of ended tasks');
    }
    for (const entry of adopted) {
      if (entry.status.state === 'running' && !materials.complete(entry.spec)) this.queue(entry, () => this.redeliverMaterials(entry, materials));
    }
  }

  private async redeliverMaterials(entry: TaskEntry, materials: Pick<TaskMaterials, 'prepare'>): Promise<void> {
    this.log.warn({ taskId: entry.spec.id }, 'an adopted task lost its secrets and configs; fetching them again');
    const written = await this.step(entry, 'materials', () => materials.prepare(entry.spec));
    if (!written.ok && !written.cancelled) this.log.error({ taskId: entry.spec.id, error: written.error.message }, 'could not write the secrets and configs of an adopted task again');
  }

  /** Converges on the set unless it is stale; says whether it was taken. */
  apply(set: DesiredTaskSet): boolean {
    if (this.closed) return false;
    const verdict = judgeDesiredSet(this.applied, set);
    if (!verdict.accept) {
      this.log.info({ generation: set.generation, incarnation: set.incarnation, applied: this.applied.generation, appliedIncarnation: this.applied.incarnation }, verdict.reason);
      return false;
    }
    if (verdict.newIncarnation && this.applied.incarnation !== null) {
      this.log.info(
        { incarnation: set.incarnation, generation: set.generation, previous: this.applied.incarnation, applied: this.applied.generation },
        'the manager started again (a restart, or a database restored from a backup): converging on its desired set',
      );
    }
    const changed = verdict.next.generation !== this.applied.generation || verdict.next.incarnation !== this.applied.incarnation;
    this.applied = verdict.next;
    try {
      if (changed) this.records.saveApplied(this.applied);
    } catch (err) {
      this.log.error({ err }, 'could not write which desired set was applied');
    }
    this.converge(set.tasks);
    return true;
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  statuses(): TaskStatus[] {
    return [...this.tasks.values()].map((e) => e.status);
  }

  async setLocalThrottle(cpus: number | null): Promise<void> {
    this.localThrottle = cpus;
    await Promise.all([...this.tasks.values()].map((e) => this.syncThrottle(e)));
  }

  logs(taskId: string, options: LogOptions): AsyncIterable<LogLine> {
    const entry = this.tasks.get(taskId);
    if (!entry) {
      const finished = this.finished.logs(taskId, options);
      if (finished) return finished;
      throw new Error(`unknown task ${taskId}: this agent does not run it and has no record of it`);
    }
    return entry.controller ? entry.controller.logs(options) : emptyLogs();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    for (const e of this.tasks.values()) {
      e.abort.abort();
      e.health?.stop();
    }
    await this.idle();
  }

  // --- convergence ---------------------------------------------------------------------------

  private converge(specs: TaskSpec[]): void {
    const listed = new Set<string>();
    for (const spec of specs) {
      if (listed.has(spec.id)) {
        this.log.warn({ taskId: spec.id }, 'desired set lists a task twice; using the first');
        continue;
      }
      listed.add(spec.id);
      const entry = this.tasks.get(spec.id);
      if (!entry) {
        this.take(spec);
      } else if (entry.desired) {
        // A task's spec is fixed once assigned; only its throttle follows the desired set.
        entry.spec = { ...entry.spec, throttle: spec.throttle };
        this.track(this.syncThrottle(entry));
      }
    }
    for (const entry of this.tasks.values()) {
      if (!listed.has(entry.spec.id) && !entry.dropping) this.drop(entry);
    }
    this.settleUnrecorded(listed, specs);
  }

  /** A task new to this node: record it, then prepare and start it. */
  private take(spec: TaskSpec): void {
    const entry = this.newEntry(spec, assignedStatus(spec.id, this.appliedStamp(), this.now()), null);
    if (!isSafeTaskId(spec.id)) {
      // Never written to disk: the id would not make a safe folder name.
      this.tasks.set(spec.id, entry);
      this.update(entry, { state: 'rejected', error: `task id ${JSON.stringify(spec.id)} is not a safe folder name`, message: 'rejected' });
      return;
    }
    this.tasks.set(spec.id, entry);
    this.update(entry, {});
    this.queue(entry, () => this.launch(entry));
  }

  private async launch(entry: TaskEntry): Promise<void> {
    // Dropped before its launch began: the queued drop() reports it shut down.
    if (!entry.desired || this.closed) return;
    const executor = this.executors.get(entry.spec.driver);
    if (!executor || !(await executor.available().catch(() => false))) {
      this.update(entry, { state: 'rejected', error: `driver ${entry.spec.driver} is not available on this node`, message: 'rejected' });
      return;
    }
    // Host ports are chosen once and kept in the task record, so an adopted task keeps them.
    const prepare = this.options.prepare ?? assignHostPorts;
    const ported = await this.step(entry, 'ports', async () => void (entry.spec = await prepare(entry.spec)));
    if (!ported.ok) {
      if (!ported.cancelled) this.update(entry, { state: 'rejected', error: ported.error.message, message: 'rejected: no host port' });
      return;
    }
    const controller = executor.controller(entry.spec);
    entry.controller = controller;
    this.update(entry, { state: 'preparing', message: 'preparing' });
    const prepared = await this.step(entry, 'prepare', async () => {
      await this.options.materials?.prepare(entry.spec);
      await controller.prepare();
    });
    if (!prepared.ok) {
      if (prepared.cancelled) return;
      const platforms = prepared.error instanceof ImagePlatformError && prepared.error.platforms.length > 0 ? { imagePlatforms: prepared.error.platforms } : {};
      this.update(entry, { state: 'rejected', error: prepared.error.message, message: 'rejected: prepare failed', ...platforms });
      return;
    }
    // Kept in the record with the spec's own ports, so an adopted task still reports them.
    entry.spec = withImagePorts(entry.spec, controller.imagePorts?.() ?? []);
    // Dropped while preparing: the queued drop() reports it shut down without starting it.
    if (!entry.desired || this.closed) return;
    this.update(entry, { state: 'starting', message: 'starting' });
    const started = await this.step(entry, 'start', () => controller.start());
    if (!started.ok) {
      if (!started.cancelled) this.failBeforeRunning(entry, started.error.message);
      return;
    }
    this.update(entry, { state: 'running', runtimeId: controller.runtimeId, startedAt: this.now(), message: 'running' });
    this.watch(entry, controller);
    this.watchHealth(entry, controller);
    await this.syncThrottle(entry);
  }

  private failBeforeRunning(entry: TaskEntry, error: string): void {
    this.update(entry, { state: 'failed', error, message: 'failed to start', finishedAt: this.now() });
  }

  private watch(entry: TaskEntry, controller: Controller): void {
    entry.ended = controller.wait().then(
      (exit) => this.onEnded(entry, exit),
      (err: unknown) => this.onEnded(entry, { exitCode: null, signal: null, error: `lost track of the task: ${String(err)}` }),
    );
  }

  private onEnded(entry: TaskEntry, exit: ExitInfo): void {
    entry.health?.stop();
    this.options.materials?.remove(entry.spec.id);
    if (isTerminal(entry.status.state)) return;
    const ended = entry.unhealthy === null ? endedState(exit, entry.stopping) : unhealthyEnd(exit, entry.unhealthy);
    this.update(entry, { ...ended, finishedAt: this.now() });
  }

  // --- health ---------------------------------------------------------------------------------

  private watchHealth(entry: TaskEntry, controller: Controller): void {
    const monitor = controller.health?.(entry.status.startedAt ?? this.now()) ?? null;
    if (!monitor) return;
    entry.health = monitor;
    monitor.start((report) => this.onHealth(entry, controller, report));
  }

  /**
   * As Swarm does, an unhealthy task is stopped and ends `failed` (the manager's restart policy
   * then replaces it, and counts it), with the check's last output line as the reason.
   */
  private onHealth(entry: TaskEntry, controller: Controller, report: HealthReport): void {
    if (this.closed || entry.stopping || entry.unhealthy !== null || entry.status.state !== 'running') return;
    const now = this.now();
    if (report.state === entry.status.health && now - entry.healthSentAt < HEALTH_LOG_REPORT_MS) {
      entry.status = { ...entry.status, healthLog: report.log }; // goes out with the next report
      return;
    }
    entry.healthSentAt = now;
    if (report.state !== 'unhealthy') {
      this.update(entry, { health: report.state, healthLog: report.log });
      return;
    }
    entry.unhealthy = unhealthyReason(report.log);
    entry.health?.stop();
    this.update(entry, { health: 'unhealthy', healthLog: report.log, message: `${entry.unhealthy}; stopping the task` });
    this.queue(entry, async () => {
      const stopped = await this.step(entry, 'stop', () => controller.stop(entry.spec.stopGracePeriodMs), { untilClosed: true });
      if (!stopped.ok && !this.closed) this.log.error({ taskId: entry.spec.id, error: stopped.error.message }, 'could not stop an unhealthy task');
    });
  }

  /** No longer desired: stop it if it runs (state shutdown), then release it and forget it. */
  private drop(entry: TaskEntry): void {
    entry.health?.stop();
    entry.desired = false;
    entry.dropping = true;
    entry.abort.abort();
    this.queue(entry, async () => {
      entry.stopping = true;
      const controller = entry.controller;
      if (entry.ended && controller && !isTerminal(entry.status.state)) {
        // Draining spends the stop grace period: the task gets what is left of it, so it is gone
        // within one grace period of being asked to stop, not two.
        let graceLeft = entry.spec.stopGracePeriodMs;
        if (this.options.drain && boundPorts(entry.spec).length > 0) {
          const askedAt = this.now();
          await this.options.drain(entry.spec).catch(() => undefined);
          graceLeft = Math.max(0, graceLeft - (this.now() - askedAt));
        }
        const stopped = await this.step(entry, 'stop', () => controller.stop(graceLeft), { untilClosed: true });
        if (!stopped.ok) return this.dropFailed(entry, stopped.error.message);
        await entry.ended;
      } else if (!isTerminal(entry.status.state)) {
        await controller?.stop(0).catch(() => undefined);
        this.update(entry, { state: 'shutdown', message: 'no longer desired before it started', finishedAt: this.now() });
      }
      if (this.closed) return;
      if (controller) await this.keepLogs(entry.spec.id, controller);
      const removed = controller ? await this.step(entry, 'remove', () => controller.remove(), { untilClosed: true }) : { ok: true as const };
      if (!removed.ok) return this.dropFailed(entry, removed.error.message);
      this.options.materials?.remove(entry.spec.id);
      this.tasks.delete(entry.spec.id);
      if (isSafeTaskId(entry.spec.id)) this.records.delete(entry.spec.id);
    });
  }

  /** The last lines of a task about to be removed, for `service logs` after it is gone; never blocks the removal. */
  private async keepLogs(taskId: string, controller: Controller): Promise<void> {
    try {
      await this.finished.keep(taskId, controller.logs({ tail: FINISHED_LOG_LINES, follow: false }));
    } catch (err) {
      this.log.debug({ taskId, err }, 'could not keep the logs of a removed task');
    }
  }

  private dropFailed(entry: TaskEntry, error: string): void {
    entry.dropping = false;
    if (!this.closed) this.log.error({ taskId: entry.spec.id, error }, 'could not stop and remove a task that is no longer desired; retrying at the next apply');
  }

  /**
   * Level-triggered throttle: the cap a running task should have is the tighter of its desired
   * set's throttle and the agent's local protection; a failed update is retried at the next apply.
   */
  private syncThrottle(entry: TaskEntry): Promise<void> {
    entry.throttling = entry.throttling.then(async () => {
      const want = tighter(entry.spec.throttle?.cpus ?? null, this.localThrottle);
      const controller = entry.controller;
      if (this.closed || entry.status.state !== 'running' || !controller || want === entry.appliedThrottle) return;
      try {
        await controller.setThrottle(want);
      } catch (err) {
        this.log.warn({ taskId: entry.spec.id, err }, 'could not change the task CPU cap; will retry at the next apply');
        return;
      }
      entry.appliedThrottle = want;
      if (entry.status.state !== 'running') return;
      this.update(entry, { throttled: want !== null, message: want === null ? 'running (CPU cap lifted)' : `running (CPU capped at ${want} cores)` });
    });
    return entry.throttling;
  }

  // --- agent restart --------------------------------------------------------------------------

  private async listExisting(): Promise<Map<string, FoundTask>> {
    const found = new Map<string, FoundTask>();
    for (const executor of this.executors.values()) {
      try {
        for (const t of await executor.listExisting()) found.set(t.taskId, { ...t, executor });
      } catch (err) {
        // Typically no engine (no Docker on this board): one line, not a stack trace.
        this.log.warn({ driver: executor.driver, err: (err as Error).message }, 'could not list the tasks this driver already runs (is its engine running?)');
      }
    }
    return found;
  }

  /**
   * Brings back a task from its record: adopts it if it survived, reports it failed if it died.
   * Returns the handling of its end when that is already known (the task died with the agent).
   */
  private restore(record: TaskRecord, found: FoundTask | undefined): Promise<void> | null {
    const executor = this.executors.get(record.driver);
    const controller = found && executor ? executor.adopt(record.spec, found) : null;
    const entry = this.newEntry(record.spec, record.status, controller);
    this.tasks.set(record.taskId, entry);
    if (isTerminal(record.status.state)) return null;
    if (controller && found) {
      if (found.running) {
        entry.status = { ...entry.status, state: 'running', runtimeId: found.runtimeId };
        this.log.info({ taskId: record.taskId, runtimeId: found.runtimeId }, 'adopted a task that survived the agent restart');
      }
      this.watch(entry, controller);
      if (found.running) this.watchHealth(entry, controller);
      return found.running ? null : entry.ended;
    }
    const what = record.runtimeId === null ? 'the task had not started yet' : `${record.driver === 'process' ? 'process' : 'container'} is gone`;
    const error = executor ? `agent restarted; ${what}` : `agent restarted; driver ${record.driver} is not configured`;
    this.update(entry, { state: 'failed', error, message: `failed: ${error}`, finishedAt: this.now() });
    return null;
  }

  /**
   * Tasks a driver found that have no record (lost with a crash between start and write): the
   * first desired set decides. A listed one is adopted; any other is ended and removed, so
   * nothing runs on the node unaccounted.
   */
  private settleUnrecorded(listed: Set<string>, specs: TaskSpec[]): void {
    const unrecorded = this.unrecorded;
    this.unrecorded = [];
    for (const found of unrecorded) {
      if (this.tasks.has(found.taskId)) continue;
      const spec = listed.has(found.taskId) ? specs.find((s) => s.id === found.taskId) : undefined;
      const status = { ...assignedStatus(found.taskId, this.appliedStamp(), this.now()), runtimeId: found.runtimeId };
      const entry = this.newEntry(spec ?? placeholderSpec(found.taskId, found.executor.driver), status, null);
      entry.controller = found.executor.adopt(entry.spec, found);
      this.tasks.set(found.taskId, entry);
      if (found.running) this.update(entry, { state: 'running', message: 'adopted after an agent restart' });
      this.watch(entry, entry.controller);
      if (!spec) this.drop(entry);
      else if (found.running) this.watchHealth(entry, entry.controller);
    }
  }

  // --- plumbing -------------------------------------------------------------------------------

  private newEntry(spec: TaskSpec, status: TaskStatus, controller: Controller | null): TaskEntry {
    return {
      spec,
      status,
      controller,
      desired: true,
      dropping: false,
      stopping: false,
      work: Promise.resolve(),
      ended: null,
      appliedThrottle: null,
      throttling: Promise.resolve(),
      abort: new AbortController(),
      health: null,
      unhealthy: null,
      healthSentAt: 0,
    };
  }

  /** Records the new status and reports it (nothing, once closed: the next agent takes over). */
  private update(entry: TaskEntry, patch: Partial<TaskStatus>): void {
    if (this.closed) return;
    const ports = boundPorts(entry.spec);
    entry.status = { ...entry.status, ...patch, ...this.appliedStamp(), ...(ports.length > 0 ? { ports } : {}), ts: this.now() };
    if (isSafeTaskId(entry.spec.id)) {
      try {
        this.records.save({
          taskId: entry.spec.id,
          generation: entry.status.generation,
          driver: entry.spec.driver,
          runtimeId: entry.status.runtimeId,
          spec: entry.spec,
          status: entry.status,
        });
      } catch (err) {
        this.log.error({ taskId: entry.spec.id, err }, 'could not write the task record');
      }
    }
    try {
      this.options.report(entry.status);
    } catch (err) {
      this.log.error({ taskId: entry.spec.id, err }, 'task status report failed');
    }
  }

  /** Which set a status answers: the generation, and the incarnation when the manager sent one. */
  private appliedStamp(): Pick<TaskStatus, 'generation' | 'incarnation'> {
    const generation = Math.max(0, this.applied.generation);
    return this.applied.incarnation === null ? { generation } : { generation, incarnation: this.applied.incarnation };
  }

  private step(entry: TaskEntry, name: string, run: () => Promise<void>, opts: { untilClosed?: boolean } = {}): Promise<StepOutcome> {
    // Stopping and removal must finish even though the task is no longer desired; only closing cancels them.
    const signal = opts.untilClosed ? this.closing.signal : entry.abort.signal;
    return retryTemporary(run, {
      signal,
      onRetry: (error, delayMs) => this.log.warn({ taskId: entry.spec.id, step: name, delayMs, error: error.message }, 'temporary runtime error; retrying'),
    });
  }

  private queue(entry: TaskEntry, op: () => Promise<void>): void {
    entry.work = entry.work.then(op).catch((err: unknown) => this.log.error({ taskId: entry.spec.id, err }, 'task lifecycle step failed'));
    this.track(entry.work);
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}

function tighter(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

async function* emptyLogs(): AsyncGenerator<LogLine> {}

/** Enough of a spec to stop and remove a task the desired set does not list. */
function placeholderSpec(id: string, driver: TaskDriver): TaskSpec {
  return {
    id,
    serviceId: '',
    serviceName: '',
    slot: null,
    driver,
    image: null,
    command: null,
    entrypoint: null,
    env: {},
    labels: {},
    workdir: null,
    resources: { cpus: null, memoryBytes: null, gpus: null },
    stopGracePeriodMs: 10_000,
    throttle: null,
  };
}
