/**
 * Counts why nodes were rejected for one task group and turns the counts into the pending reason,
 * Swarm style: the most common failure first, e.g.
 * `no suitable node (2 nodes not ready, 1 node failed node.platform.arch==arm64)`.
 */
import { FILTERS, type FilterFailure } from './filters.js';

interface Entry extends FilterFailure {
  count: number;
}

export const NO_NODES_REASON = 'no suitable node (no nodes)';

export class FailureTally {
  private readonly entries = new Map<string, Entry>();

  add(failure: FilterFailure): void {
    const key = `${failure.filter.name}\u0000${failure.detail}`;
    const entry = this.entries.get(key);
    if (entry) entry.count += 1;
    else this.entries.set(key, { ...failure, count: 1 });
  }

  /** Ties keep filter order, then first-seen order (the map's), so the text is deterministic. */
  reason(): string {
    if (this.entries.size === 0) return NO_NODES_REASON;
    const ranked = [...this.entries.values()].sort(
      (a, b) => b.count - a.count || FILTERS.indexOf(a.filter) - FILTERS.indexOf(b.filter),
    );
    return `no suitable node (${ranked.map((e) => e.filter.explain(e.count, e.detail)).join(', ')})`;
  }
}
