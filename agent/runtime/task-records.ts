/**
 * The reconciler's memory across agent restarts: one record per task it took on, in
 * <stateDir>/tasks/<taskId>/task.json (written atomically). It holds the spec (to adopt the task
 * again), the driver and runtime id (to find it), and the last status reported (to tell tasks that
 * were still running from ones that had already ended). The process driver keeps the pid and its
 * start time next to it in process.json, since only it can interpret them.
 */
import { mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { taskDriver } from '../../shared/payloads/facts.js';
import { taskSpec, taskStatus } from '../../shared/payloads/tasks.js';
import { appliedSet, type AppliedSet } from './applied-set.js';
import { readJsonFile, writeFileAtomic } from './atomic-file.js';
import { isSafeTaskId, taskDir, tasksRoot } from './task-dir.js';

const RECORD_FILE = 'task.json';
/** Which desired set was applied last (applied-set.ts), in the state dir. */
export const APPLIED_FILE = 'applied-set.json';

export const taskRecord = z.object({
  taskId: z.string(),
  /** Generation of the desired set that listed the task when it was last written. */
  generation: z.number().int().nonnegative(),
  driver: taskDriver,
  runtimeId: z.string().nullable(),
  spec: taskSpec,
  status: taskStatus,
});
export type TaskRecord = z.infer<typeof taskRecord>;

export interface LoadedRecords {
  records: TaskRecord[];
  /** Folders whose record is missing or unreadable, with the reason. */
  problems: { taskId: string; reason: string }[];
}

/** Where the reconciler keeps its records: files in the agent's state dir, or any store that outlives the agent process. */
export interface TaskRecordStore {
  save(record: TaskRecord): void;
  delete(taskId: string): void;
  load(): LoadedRecords;
  saveApplied(applied: AppliedSet): void;
  /** Null when nothing was saved yet (or the file is unreadable: the first set then decides). */
  loadApplied(): AppliedSet | null;
}

export class TaskRecords implements TaskRecordStore {
  constructor(private readonly stateDir: string) {}

  save(record: TaskRecord): void {
    const dir = taskDir(this.stateDir, record.taskId);
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, RECORD_FILE), JSON.stringify(record));
  }

  /** Removes the record and the task's folder once the driver has emptied it. */
  delete(taskId: string): void {
    const dir = taskDir(this.stateDir, taskId);
    rmSync(join(dir, RECORD_FILE), { force: true });
    try {
      rmdirSync(dir);
    } catch {
      // Not empty or already gone: what is left belongs to the driver.
    }
  }

  saveApplied(applied: AppliedSet): void {
    writeFileAtomic(join(this.stateDir, APPLIED_FILE), JSON.stringify(applied));
  }

  loadApplied(): AppliedSet | null {
    const parsed = appliedSet.safeParse(readJsonFile(join(this.stateDir, APPLIED_FILE)));
    return parsed.success ? parsed.data : null;
  }

  load(): LoadedRecords {
    const out: LoadedRecords = { records: [], problems: [] };
    let names: string[];
    try {
      names = readdirSync(tasksRoot(this.stateDir));
    } catch {
      return out;
    }
    for (const taskId of names) {
      if (!isSafeTaskId(taskId)) continue;
      const raw = readJsonFile(join(taskDir(this.stateDir, taskId), RECORD_FILE));
      if (raw === null) continue;
      const parsed = taskRecord.safeParse(raw);
      if (parsed.success && parsed.data.taskId === taskId) out.records.push(parsed.data);
      else out.problems.push({ taskId, reason: parsed.success ? 'record names another task' : parsed.error.message });
    }
    return out;
  }
}
