/**
 * A simulated board's task records: the reconciler's memory across power cycles, kept in the
 * simulator's memory instead of files (a board's "disk" outlives its boots, as a real one does).
 */
import type { AppliedSet } from '../runtime/applied-set.js';
import type { LoadedRecords, TaskRecord, TaskRecordStore } from '../runtime/task-records.js';

export class MemoryTaskRecords implements TaskRecordStore {
  private readonly records = new Map<string, TaskRecord>();
  private applied: AppliedSet | null = null;

  save(record: TaskRecord): void {
    this.records.set(record.taskId, record);
  }

  delete(taskId: string): void {
    this.records.delete(taskId);
  }

  saveApplied(applied: AppliedSet): void {
    this.applied = applied;
  }

  loadApplied(): AppliedSet | null {
    return this.applied;
  }

  load(): LoadedRecords {
    return { records: [...this.records.values()], problems: [] };
  }
}
