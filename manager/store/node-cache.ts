/**
 * Decoded node records in memory, in `listNodes()` order (hostname, then id). The manager is the
 * only writer of its database, so the store keeps this current from its own writes and never
 * reads a node row again after the first load: telemetry (every board, every second) and the
 * node listings the API and the liveness sweep make cost no SQLite read and no JSON decoding.
 * Records are frozen: they are shared by every reader, and a change goes through the store.
 */
import type { NodeRecord } from './records.js';

export class NodeCache {
  private readonly byId = new Map<string, NodeRecord>();
  /** Sorted view, rebuilt on the next listing after a write that added, removed or renamed a node. */
  private sorted: NodeRecord[] | null = null;

  constructor(records: NodeRecord[]) {
    for (const r of records) this.byId.set(r.id, Object.freeze(r));
  }

  get(id: string): NodeRecord | null {
    return this.byId.get(id) ?? null;
  }

  list(): NodeRecord[] {
    this.sorted ??= [...this.byId.values()].sort(byHostnameThenId);
    return [...this.sorted];
  }

  set(record: NodeRecord): void {
    const before = this.byId.get(record.id);
    this.byId.set(record.id, Object.freeze(record));
    const at = before && before.hostname === record.hostname && this.sorted ? this.sorted.indexOf(before) : -1;
    if (at >= 0) (this.sorted as NodeRecord[])[at] = record;
    else this.sorted = null;
  }

  delete(id: string): void {
    if (this.byId.delete(id)) this.sorted = null;
  }
}

/** SQLite's BINARY collation order for `ORDER BY hostname, id` (ids and hostnames compare by code unit). */
function byHostnameThenId(a: NodeRecord, b: NodeRecord): number {
  if (a.hostname !== b.hostname) return a.hostname < b.hostname ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
