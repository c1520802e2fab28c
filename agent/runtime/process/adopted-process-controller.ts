/**
 * A process task found in the state dir after an agent restart. The agent does not re-attach to
 * such a process, it ends it: the pty master died with the old agent, so a survivor has lost its
 * terminal (its output fails with EIO and is lost), and it is not the new agent's child, so its
 * exit code could never be learned. Ending it and reporting the task failed lets the manager
 * replace it with a copy that is observed properly; nothing keeps running unaccounted.
 */
import type { LogLine } from '../../../shared/payloads/logs.js';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { isSafeTaskId } from '../task-dir.js';
import { RuntimeError, type Controller, type ExistingTask, type ExitInfo, type LogOptions } from '../types.js';
import { removeTaskCgroup } from './cgroup-cpu-limiter.js';
import { readLogFile } from './log-file.js';
import { terminateGroup } from './process-group.js';
import { processTaskFiles, removeProcessTaskFiles } from './task-files.js';

/** Grace for a survivor: it has no terminal left, so there is little it could still flush. */
const SURVIVOR_GRACE_MS = 1000;

export const PROCESS_GONE = 'agent restarted; process is gone';
export const SURVIVOR_STOPPED = 'agent restarted; the process had lost its terminal and was stopped';

export class AdoptedProcessController implements Controller {
  readonly taskId: string;
  readonly runtimeId: string;
  private readonly exited: Promise<ExitInfo>;

  constructor(
    spec: TaskSpec,
    existing: ExistingTask,
    private readonly stateDir: string,
    private readonly cgroupRoot: string,
  ) {
    this.taskId = spec.id;
    this.runtimeId = existing.runtimeId;
    this.exited = existing.running ? this.endSurvivor(Number(existing.runtimeId)) : Promise.resolve(existing.exit ?? gone());
  }

  async prepare(): Promise<void> {
    throw new RuntimeError(`task ${this.taskId} ran under a previous agent and cannot be prepared again`, 'permanent');
  }

  async start(): Promise<void> {
    throw new RuntimeError(`task ${this.taskId} ran under a previous agent and cannot be started again`, 'permanent');
  }

  wait(): Promise<ExitInfo> {
    return this.exited;
  }

  async stop(): Promise<void> {
    await this.exited;
  }

  async remove(): Promise<void> {
    await this.exited;
    if (!isSafeTaskId(this.taskId)) return;
    await removeTaskCgroup(this.cgroupRoot, this.taskId);
    removeProcessTaskFiles(processTaskFiles(this.stateDir, this.taskId));
  }

  /** The task is ending or ended; there is nothing left to cap. */
  async setThrottle(): Promise<void> {}

  /** From the log file the previous agent wrote; the task has ended, so following stops at once. */
  async *logs(options: LogOptions): AsyncGenerator<LogLine> {
    await this.exited;
    if (!isSafeTaskId(this.taskId)) return;
    const lines = readLogFile(processTaskFiles(this.stateDir, this.taskId).log, this.taskId);
    yield* options.tail === null ? lines : lines.slice(Math.max(0, lines.length - options.tail));
  }

  private async endSurvivor(pgid: number): Promise<ExitInfo> {
    const signal = await terminateGroup(pgid, SURVIVOR_GRACE_MS);
    return { exitCode: null, signal, error: SURVIVOR_STOPPED };
  }
}

function gone(): ExitInfo {
  return { exitCode: null, signal: null, error: PROCESS_GONE };
}
