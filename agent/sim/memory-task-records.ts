/**
 * A simulated board's task records: the reconciler's memory across power cycles, kept in the
 * simulator's memory instead of files (a board's "disk" outlives its boots, as a real one does).
 */
import type { LoadedRecords, TaskRecord, TaskRecordStore } from '../runtime/task-records.js';

export class MemoryTaskRecords implements TaskRecordStore {
  private readonly records = new Map<string, TaskRecord>();

  save(record: TaskRecord): void {
    this.records.set(record.taskId, record);
  }

  delete(taskId: string): void {
    this.records.delete(taskId);
  }

  load(): LoadedRecords {
    return { records: [...this.records.values()], problems: [] };
  }
}
