/**
 * Decoded task records in memory, in creation order (the `seq` column). As with NodeCache, the
 * manager is the only writer of its database, so the store keeps this current from its own writes:
 * an orchestration pass over 100,000 tasks filters records in memory instead of decoding every row
 * again (seconds of a blocked event loop a pass). Records are frozen: every reader shares them.
 */
import type { TaskRecord } from './records.js';

export interface TaskFilter {
  serviceId?: string;
  nodeId?: string;
  desiredState?: TaskRecord['desiredState'];
}

export class TaskCache {
  /** Map order is insertion order: loaded by seq, then appended as tasks are inserted. */
  private readonly byId = new Map<string, TaskRecord>();

  constructor(records: TaskRecord[]) {
    for (const r of records) this.byId.set(r.id, Object.freeze(r));
  }

  get(id: string): TaskRecord | null {
    return this.byId.get(id) ?? null;
  }

  list(filter: TaskFilter): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (const t of this.byId.values()) {
      if (filter.serviceId !== undefined && t.serviceId !== filter.serviceId) continue;
      if (filter.nodeId !== undefined && t.nodeId !== filter.nodeId) continue;
      if (filter.desiredState !== undefined && t.desiredState !== filter.desiredState) continue;
      out.push(t);
    }
    return out;
  }

  /** An update keeps the task's place; an insert goes last, as its seq does. */
  set(record: TaskRecord): void {
    this.byId.set(record.id, Object.freeze(record));
  }

  delete(id: string): void {
    this.byId.delete(id);
  }
}
