/**
 * Telemetry history for every node, in memory (like the latest telemetry, it is not worth a disk
 * write a second per board, and a restarted manager starts it over). Fed from the store's
 * `telemetry` events, stamped with the manager's clock (a board's own clock may be wrong or
 * hostile), and forgotten with the node.
 */
import type { Telemetry } from '../../shared/payloads/telemetry.js';
import type { Clock } from '../options.js';
import type { Change } from '../store/records.js';
import type { Store } from '../store/store.js';
import { COARSE_SLOTS, COARSE_STEP_MS, FINE_SLOTS, FINE_STEP_MS, NodeHistory, type SeriesOut } from './node-history.js';

export type HistoryResolution = '1s' | '1m';

export const RESOLUTIONS: Record<HistoryResolution, { stepMs: number; keptMs: number; ring: 'fine' | 'coarse' }> = {
  '1s': { stepMs: FINE_STEP_MS, keptMs: FINE_SLOTS * FINE_STEP_MS, ring: 'fine' },
  '1m': { stepMs: COARSE_STEP_MS, keptMs: COARSE_SLOTS * COARSE_STEP_MS, ring: 'coarse' },
};

export interface HistoryView extends SeriesOut {
  nodeId: string;
  resolution: HistoryResolution;
  stepMs: number;
  /** Start of each slot (ms since the epoch), oldest first; the value arrays line up with it. */
  t: number[];
}

export class TelemetryHistory {
  private readonly nodes = new Map<string, NodeHistory>();
  private readonly onTelemetry = (nodeId: string, telemetry: Telemetry): void => this.record(nodeId, this.clock.now(), telemetry);
  private readonly onChange = (changes: Change[]): void => {
    for (const c of changes) if (c.kind === 'node' && c.after === null) this.nodes.delete(c.id);
  };

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  attach(store: Store): () => void {
    store.on('telemetry', this.onTelemetry);
    store.on('change', this.onChange);
    return () => {
      store.off('telemetry', this.onTelemetry);
      store.off('change', this.onChange);
    };
  }

  record(nodeId: string, atMs: number, telemetry: Telemetry): void {
    let node = this.nodes.get(nodeId);
    if (!node) {
      node = new NodeHistory();
      this.nodes.set(nodeId, node);
    }
    node.record(atMs, telemetry);
  }

  /** The slots covering the last `sinceMs` up to now at `resolution`; every slot is null for a node not heard from. */
  query(nodeId: string, sinceMs: number, resolution: HistoryResolution): HistoryView {
    const { stepMs, ring } = RESOLUTIONS[resolution];
    const now = this.clock.now();
    const to = Math.floor(now / stepMs);
    const from = Math.max(0, Math.floor((now - sinceMs) / stepMs) + 1);
    const t: number[] = [];
    for (let i = from; i <= to; i++) t.push(i * stepMs);
    const series = (this.nodes.get(nodeId) ?? new NodeHistory()).query({ from, to, resolution: ring });
    return { nodeId, resolution, stepMs, t, ...series };
  }

  /** Bytes the history holds (typed arrays), for the memory benchmark. */
  get bytes(): number {
    let total = 0;
    for (const node of this.nodes.values()) total += node.bytes;
    return total;
  }
}
