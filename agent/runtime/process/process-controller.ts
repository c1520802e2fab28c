/**
 * One process task under node-pty. The pty gives the task a terminal of its own and makes it a
 * session leader, so the task and everything it forks form one process group that stop, throttle
 * and clean-up address as a whole.
 */
import { mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import type { IPty } from 'node-pty';
import type { Logger } from '../../../shared/logger.js';
import type { LogLine } from '../../../shared/payloads/logs.js';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { materialEnv } from '../../secrets/task-materials.js';
import { LogRing } from '../log-ring.js';
import { isSafeTaskId } from '../task-dir.js';
import { RuntimeError, type Controller, type ExitInfo, type LogOptions } from '../types.js';
import { pickCpuLimiter, type CpuLimiter } from './cpu-limiter.js';
import { closingInheritedFds } from './inherited-fds.js';
import { prepareProcessMounts } from './task-mounts.js';
import { planLaunch, type LaunchPlan } from './launch-plan.js';
import type { HealthMonitor } from '../health/types.js';
import { ProcessHealthRunner } from './health-runner.js';
import { LineSplitter } from './line-splitter.js';
import { LogFile } from './log-file.js';
import { waitForSessionLeader } from './proc.js';
import { killGroup, signalGroup, terminateGroup } from './process-group.js';
import { recordExit, writeProcessRecord, type ProcessRecord } from './process-record.js';
import type { PtyModule } from './pty.js';
import { processTaskFiles, removeProcessTaskFiles, type ProcessTaskFiles } from './task-files.js';

export interface ProcessControllerOptions {
  spec: TaskSpec;
  stateDir: string;
  cgroupRoot: string;
  /** Where the board's /dev is read (devices a task needs); `/` on a real board. */
  hostRoot: string;
  logger: Logger;
  loadPty: () => Promise<PtyModule | null>;
  logCapBytes?: number;
  ringLines?: number;
  materialsRoot?: string | null;
}

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** Output quiet this long after the exit means the pty has delivered everything. */
const OUTPUT_QUIET_MS = 30;
const OUTPUT_SETTLE_MAX_MS = 1000;

export class ProcessController implements Controller {
  readonly taskId: string;
  private readonly spec: TaskSpec;
  private readonly files: ProcessTaskFiles | null;
  private readonly ring: LogRing;
  private readonly splitter = new LineSplitter();
  private lastOutputAt = 0;
  private pty: PtyModule | null = null;
  private plan: LaunchPlan | null = null;
  private limiter: CpuLimiter | null = null;
  private logFile: LogFile | null = null;
  private record: ProcessRecord | null = null;
  /** The leader's pid (= process group and session id) while the task runs. */
  private leader: number | null = null;
  private pid: number | null = null;
  private throttle: number | null = null;
  private stopping: Promise<void> | null = null;
  private finished = false;
  private resolveExit!: (exit: ExitInfo) => void;
  private readonly exited = new Promise<ExitInfo>((resolve) => (this.resolveExit = resolve));
  /**
   * Settles once start() has written the task's record or given up. A task that ends at once
   * (`exit 4`) can exit while start() still waits for it to lead its session; its exit must be
   * written after that record, or the record says "started, never ended" and an agent restart
   * reports the task gone instead of its exit code.
   */
  private recordWritten!: () => void;
  private readonly recordSettled = new Promise<void>((resolve) => (this.recordWritten = resolve));

  constructor(private readonly options: ProcessControllerOptions) {
    this.spec = options.spec;
    this.taskId = options.spec.id;
    this.files = isSafeTaskId(this.taskId) ? processTaskFiles(options.stateDir, this.taskId) : null;
    this.ring = new LogRing(options.ringLines);
  }

  get runtimeId(): string | null {
    return this.pid === null ? null : String(this.pid);
  }

  async prepare(): Promise<void> {
    if (!this.files) throw new RuntimeError(`task id ${JSON.stringify(this.taskId)} is not a safe folder name`, 'permanent');
    this.pty = await this.options.loadPty();
    if (!this.pty) throw new RuntimeError('process driver unavailable: node-pty could not be loaded', 'permanent');
    mkdirSync(this.files.dir, { recursive: true });
    this.plan = planLaunch(this.spec, this.files.work);
    Object.assign(this.plan.env, materialEnv(this.spec, this.options.materialsRoot ?? null));
    Object.assign(this.plan.env, prepareProcessMounts(this.spec, this.options.stateDir, this.options.hostRoot, this.files.work));
    this.limiter ??= await pickCpuLimiter({
      cgroupRoot: this.options.cgroupRoot,
      taskId: this.taskId,
      group: () => this.leader,
      logger: this.options.logger,
    });
    this.logFile = new LogFile(this.files.log, this.options.logCapBytes);
  }

  async start(): Promise<void> {
    if (this.pid !== null) return;
    if (this.stopping) throw new RuntimeError(`task ${this.taskId} was stopped before it started`, 'permanent');
    if (!this.pty || !this.plan || !this.files) throw new RuntimeError(`task ${this.taskId}: start() before prepare()`, 'permanent');
    const { file, args, env, cwd } = closingInheritedFds(this.plan);
    let term: IPty;
    try {
      // TERM=dumb: programs that check the terminal should not paint colours and cursor moves into the log.
      term = this.pty.spawn(file, args, { name: 'dumb', cols: 200, rows: 50, cwd, env });
    } catch (err) {
      throw new RuntimeError(`task ${this.taskId}: could not spawn ${this.plan.file}: ${(err as Error).message}`, 'temporary');
    }
    this.pid = this.leader = term.pid;
    // A pty has one output stream: stdout and stderr arrive merged, so every line is reported as stdout.
    term.onData((chunk) => {
      this.lastOutputAt = Date.now();
      this.keep(this.splitter.push(chunk));
    });
    term.onExit(({ exitCode, signal }) => void this.onExit(exitCode, signal ?? 0));
    try {
      // Until the child has called setsid() there is no group to signal: a stop arriving in that
      // instant would miss it. Treat the task as started only once it leads its own session.
      const leader = await waitForSessionLeader(term.pid);
      if (leader && leader.session !== term.pid) {
        process.kill(term.pid, 'SIGKILL');
        throw new RuntimeError(`task ${this.taskId}: pid ${term.pid} did not become a session leader`, 'permanent');
      }
      this.record = { taskId: this.taskId, pid: term.pid, startTicks: leader?.startTicks ?? 0, startedAt: Date.now(), exit: null };
      try {
        writeProcessRecord(this.files.dir, this.record);
      } catch (err) {
        // Unrecorded, the task could not be found again after an agent restart: do not let it run.
        signalGroup(term.pid, 'SIGKILL');
        throw new RuntimeError(`task ${this.taskId}: could not record its pid: ${(err as Error).message}`, 'permanent');
      }
    } finally {
      this.recordWritten();
    }
    await this.applyLimit();
  }

  wait(): Promise<ExitInfo> {
    return this.exited;
  }

  stop(graceMs: number): Promise<void> {
    this.stopping ??= this.terminate(graceMs);
    return this.stopping;
  }

  async remove(): Promise<void> {
    if (this.leader !== null) await this.stop(0);
    await this.limiter?.release();
    this.logFile?.close();
    if (this.files) removeProcessTaskFiles(this.files);
  }

  async setThrottle(cpus: number | null): Promise<void> {
    this.throttle = cpus;
    await this.applyLimit();
  }

  logs(options: LogOptions): AsyncIterable<LogLine> {
    return this.ring.read(options);
  }

  /** The service's check, run on the board in the task's environment and working directory. */
  health(startedAt: number): HealthMonitor | null {
    const check = this.spec.healthcheck;
    if (!check || check === 'none' || !this.plan) return null;
    return new ProcessHealthRunner({ check, env: this.plan.env, cwd: this.plan.cwd, startedAt, logger: this.options.logger });
  }

  private async terminate(graceMs: number): Promise<void> {
    const pgid = this.leader;
    if (pgid === null) {
      if (!this.finished) this.finish({ exitCode: null, signal: null, error: 'stopped before it started' });
      return;
    }
    // A duty-cycled group may be SIGSTOPped right now and could not act on SIGTERM: lift the cap first.
    await this.limiter?.set(null);
    await terminateGroup(pgid, graceMs);
    await this.exited;
  }

  /** Caps at the tighter of the spec's hard limit and the current throttle. */
  private async applyLimit(): Promise<void> {
    if (this.leader === null || !this.limiter) return;
    const caps = [this.spec.resources.cpus, this.throttle].filter((c): c is number => c !== null);
    try {
      await this.limiter.set(caps.length > 0 ? Math.min(...caps) : null);
    } catch (err) {
      throw new RuntimeError(`task ${this.taskId}: could not set the CPU cap: ${(err as Error).message}`, 'temporary');
    }
  }

  private keep(texts: string[]): void {
    if (texts.length === 0 || this.finished) return;
    const ts = Date.now();
    const lines = texts.map((text): LogLine => ({ taskId: this.taskId, ts, stream: 'stdout', text }));
    for (const line of lines) this.ring.push(line);
    try {
      this.logFile?.append(lines);
    } catch (err) {
      this.options.logger.warn({ taskId: this.taskId, err }, 'could not write task output to its log file');
    }
  }

  private async onExit(exitCode: number, signal: number): Promise<void> {
    const pgid = this.leader;
    this.leader = null;
    // The task is the whole group: children it left behind end with it, as in a container, and
    // the task counts as ended only once they are gone.
    if (pgid !== null) {
      await killGroup(pgid).catch((err: unknown) => this.options.logger.warn({ taskId: this.taskId, err }, 'could not end what the task left running'));
    }
    await this.limiter?.set(null).catch(() => undefined);
    await this.outputSettled();
    this.keep(this.splitter.flush());
    const signalName = signal > 0 ? (SIGNAL_NAMES.get(signal) ?? `signal ${signal}`) : null;
    const exit: ExitInfo = { exitCode: signalName ? null : exitCode, signal: signalName, error: null };
    await this.recordSettled;
    try {
      if (this.record && this.files) recordExit(this.files.dir, this.record, exit);
    } catch (err) {
      this.options.logger.warn({ taskId: this.taskId, err }, 'could not record how the task ended');
    }
    this.finish(exit);
  }

  /**
   * node-pty can report the exit before it has delivered the last chunk of output: wait until the
   * pty has been quiet for a moment (bounded), so a task's final lines are not lost.
   */
  private async outputSettled(): Promise<void> {
    const deadline = Date.now() + OUTPUT_SETTLE_MAX_MS;
    while (Date.now() - this.lastOutputAt < OUTPUT_QUIET_MS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, OUTPUT_QUIET_MS));
    }
  }

  private finish(exit: ExitInfo): void {
    this.finished = true;
    this.ring.end();
    this.logFile?.close();
    this.resolveExit(exit);
  }
}
