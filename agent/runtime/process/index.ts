/**
 * The process driver: runs a task's command under node-pty on the agent's own host, with its
 * output in a bounded ring plus a capped file under <stateDir>/tasks/<taskId>/.
 */
import { readdirSync } from 'node:fs';
import type { Logger } from '../../../shared/logger.js';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { isSafeTaskId, taskDir, tasksRoot } from '../task-dir.js';
import type { Controller, ExistingTask, Executor } from '../types.js';
import { AdoptedProcessController, PROCESS_GONE } from './adopted-process-controller.js';
import { groupMembers, readProcStat } from './proc.js';
import { ProcessController } from './process-controller.js';
import { readProcessRecord, type ProcessRecord } from './process-record.js';
import { loadPty } from './pty.js';

export { AdoptedProcessController, PROCESS_GONE, SURVIVOR_STOPPED } from './adopted-process-controller.js';

export interface ProcessExecutorOptions {
  stateDir: string;
  /** Where the board's /dev is read; default `/`. */
  hostRoot?: string;
  logger: Logger;
  /** Where the cgroup hierarchy is mounted; default /sys/fs/cgroup. */
  cgroupRoot?: string;
  /** Size at which a task's output.log rotates; default 1 MiB. */
  logCapBytes?: number;
  /** Lines of output kept in memory per task; default 1000. */
  ringLines?: number;
  /** Where task secrets and configs are written; their directories are named in the task's environment. */
  materialsRoot?: string | null;
}

export class ProcessExecutor implements Executor {
  readonly driver = 'process' as const;
  private readonly cgroupRoot: string;

  constructor(private readonly options: ProcessExecutorOptions) {
    this.cgroupRoot = options.cgroupRoot ?? '/sys/fs/cgroup';
  }

  async available(): Promise<boolean> {
    return (await loadPty()) !== null;
  }

  controller(spec: TaskSpec): Controller {
    return new ProcessController({
      spec,
      stateDir: this.options.stateDir,
      cgroupRoot: this.cgroupRoot,
      hostRoot: this.options.hostRoot ?? '/',
      logger: this.options.logger.child({ taskId: spec.id }),
      loadPty,
      logCapBytes: this.options.logCapBytes,
      ringLines: this.options.ringLines,
      materialsRoot: this.options.materialsRoot ?? null,
    });
  }

  adopt(spec: TaskSpec, existing: ExistingTask): Controller {
    return new AdoptedProcessController(spec, existing, this.options.stateDir, this.cgroupRoot);
  }

  async listExisting(): Promise<ExistingTask[]> {
    let names: string[];
    try {
      names = readdirSync(tasksRoot(this.options.stateDir));
    } catch {
      return [];
    }
    const found: ExistingTask[] = [];
    for (const taskId of names) {
      if (!isSafeTaskId(taskId)) continue;
      const record = readProcessRecord(taskDir(this.options.stateDir, taskId));
      if (record) found.push(describe(record));
    }
    return found;
  }
}

/**
 * Whether the task's process group still has members. A pid that now belongs to a process with a
 * different start time was reused, which the kernel only allows once the old group is empty.
 */
function describe(record: ProcessRecord): ExistingTask {
  const base = { taskId: record.taskId, runtimeId: String(record.pid) };
  if (record.exit) return { ...base, running: false, exit: record.exit };
  const leader = readProcStat(record.pid);
  const reused = leader !== null && leader.startTicks !== record.startTicks;
  if (!reused && groupMembers(record.pid).length > 0) return { ...base, running: true, exit: null };
  return { ...base, running: false, exit: { exitCode: null, signal: null, error: PROCESS_GONE } };
}
