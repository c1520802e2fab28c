/**
 * One board's telemetry history: every second for the last hour, and one slot a minute (min, max
 * and average of the samples in it) for the last day. Values are fixed-point Int16 (SeriesRing);
 * GPU columns are only allocated once the board reports a GPU reading.
 */
import type { Telemetry } from '../../shared/payloads/telemetry.js';
import { EMPTY, SeriesRing } from './series-ring.js';

export const FINE_STEP_MS = 1000;
export const FINE_SLOTS = 3600;
export const COARSE_STEP_MS = 60_000;
export const COARSE_SLOTS = 1440;

/** What the history keeps of a sample, and the fixed-point scale of each (0.1 C, 1 mV, 0.01 load, 0.1 %). */
export const BOARD_METRICS = [
  { name: 'cpuTempC', scale: 10 },
  { name: 'volts', scale: 1000 },
  { name: 'load1', scale: 100 },
] as const;
export const GPU_METRICS = [
  { name: 'gpuTempC', scale: 10 },
  { name: 'gpuUtilPct', scale: 10 },
] as const;
export type MetricName = (typeof BOARD_METRICS)[number]['name'] | (typeof GPU_METRICS)[number]['name'];

/** Input volts where the board measures them (Pi PMIC), else its first voltage rail. */
function volts(t: Telemetry): number | null {
  return t.power.inputVolts ?? t.voltages[0]?.volts ?? null;
}

/** The hottest and busiest GPU; null when the board reports none (or its readings are stale). */
function gpuValues(t: Telemetry): [number | null, number | null] | null {
  if (t.gpus.length === 0 || t.gpuStale) return null;
  const max = (values: Array<number | null>): number | null => values.reduce<number | null>((m, v) => (v === null ? m : m === null ? v : Math.max(m, v)), null);
  return [max(t.gpus.map((g) => g.tempC)), max(t.gpus.map((g) => g.utilPct))];
}

const scaled = (v: number | null, scale: number): number => (v === null ? Number.NaN : v * scale);

/** min, max, sum and count per column for the minute being filled. */
class MinuteAccumulator {
  index = -1;
  readonly stats: Float64Array;

  constructor(readonly columns: number) {
    this.stats = new Float64Array(columns * 4);
  }

  reset(index: number): void {
    this.index = index;
    for (let c = 0; c < this.columns; c++) this.stats.set([Infinity, -Infinity, 0, 0], c * 4);
  }

  add(values: ArrayLike<number>): void {
    for (let c = 0; c < this.columns; c++) {
      const v = values[c] ?? Number.NaN;
      if (!Number.isFinite(v)) continue;
      const s = this.stats;
      const at = c * 4;
      s[at] = Math.min(s[at] ?? v, v);
      s[at + 1] = Math.max(s[at + 1] ?? v, v);
      s[at + 2] = (s[at + 2] ?? 0) + v;
      s[at + 3] = (s[at + 3] ?? 0) + 1;
    }
  }

  /** Column c's [min, max, avg] (NaN with no samples), in the order coarse rings store them. */
  summary(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.columns; c++) {
      const [min = 0, max = 0, sum = 0, n = 0] = this.stats.subarray(c * 4, c * 4 + 4);
      out.push(n === 0 ? Number.NaN : min, n === 0 ? Number.NaN : max, n === 0 ? Number.NaN : sum / n);
    }
    return out;
  }
}

/** The fine ring and the coarse ring with its accumulator, for one group of metrics. */
class MetricGroup {
  readonly fine: SeriesRing;
  readonly coarse: SeriesRing;
  readonly minute: MinuteAccumulator;

  constructor(readonly metrics: ReadonlyArray<{ name: MetricName; scale: number }>) {
    this.fine = new SeriesRing(FINE_SLOTS, metrics.length);
    this.coarse = new SeriesRing(COARSE_SLOTS, metrics.length * 3);
    this.minute = new MinuteAccumulator(metrics.length);
  }

  record(atMs: number, values: number[]): void {
    const second = Math.floor(atMs / FINE_STEP_MS);
    // A sample older than the newest one (a clock step back) is dropped: history only moves forward.
    if (!this.fine.write(second, values)) return;
    const minute = Math.floor(atMs / COARSE_STEP_MS);
    if (minute !== this.minute.index) {
      if (this.minute.index >= 0) this.coarse.write(this.minute.index, this.minute.summary());
      this.minute.reset(minute);
    }
    this.minute.add(values);
  }

  get bytes(): number {
    return this.fine.bytes + this.coarse.bytes + this.minute.stats.byteLength;
  }
}

export interface SeriesQuery {
  /** First and last slot index (inclusive) in the resolution's steps since the epoch. */
  from: number;
  to: number;
  resolution: 'fine' | 'coarse';
}

export interface SeriesOut {
  avg: Partial<Record<MetricName, Array<number | null>>>;
  /** Per-minute extremes; only at the coarse resolution. */
  min?: Partial<Record<MetricName, Array<number | null>>>;
  max?: Partial<Record<MetricName, Array<number | null>>>;
}

export class NodeHistory {
  private readonly board = new MetricGroup(BOARD_METRICS);
  private gpu: MetricGroup | null = null;

  record(atMs: number, t: Telemetry): void {
    this.board.record(atMs, [scaled(t.cpuTempC, 10), scaled(volts(t), 1000), scaled(t.load1, 100)]);
    const gpu = gpuValues(t);
    if (gpu && !this.gpu) this.gpu = new MetricGroup(GPU_METRICS);
    this.gpu?.record(atMs, gpu ? [scaled(gpu[0], 10), scaled(gpu[1], 10)] : [Number.NaN, Number.NaN]);
  }

  query(q: SeriesQuery): SeriesOut {
    const out: SeriesOut = q.resolution === 'coarse' ? { avg: {}, min: {}, max: {} } : { avg: {} };
    for (const group of this.gpu ? [this.board, this.gpu] : [this.board]) readGroup(group, q, out);
    return out;
  }

  get bytes(): number {
    return this.board.bytes + (this.gpu?.bytes ?? 0);
  }
}

function readGroup(group: MetricGroup, q: SeriesQuery, out: SeriesOut): void {
  group.metrics.forEach((metric, c) => {
    const value = (raw: number): number | null => (raw === EMPTY ? null : raw / metric.scale);
    const avg: Array<number | null> = [];
    const min: Array<number | null> = [];
    const max: Array<number | null> = [];
    const current = group.minute.summary();
    for (let i = q.from; i <= q.to; i++) {
      if (q.resolution === 'fine') {
        avg.push(value(group.fine.read(i, c)));
        continue;
      }
      // The minute still being filled comes from the accumulator; older minutes from the ring.
      const [lo, hi, mean] = i === group.minute.index ? [current[c * 3], current[c * 3 + 1], current[c * 3 + 2]].map((v) => (Number.isFinite(v) ? Math.round(v ?? 0) : EMPTY)) : [0, 1, 2].map((k) => group.coarse.read(i, c * 3 + k));
      min.push(value(lo ?? EMPTY));
      max.push(value(hi ?? EMPTY));
      avg.push(value(mean ?? EMPTY));
    }
    out.avg[metric.name] = avg;
    if (out.min && out.max) {
      out.min[metric.name] = min;
      out.max[metric.name] = max;
    }
  });
}
