/**
 * One node's thermal state: normal -> warm -> hot -> critical. Going up is immediate. Going down to a
 * level needs every reading below (that level's upper threshold - hysteresis), with no GPU in
 * slowdown, continuously for `holdMs`; a null sample breaks that run, so unknown never counts as cool.
 * Steps down happen on a reading (only a reading proves the board is still cool), straight to the
 * lowest level whose hold has been met.
 */
import type { ThermalLimits } from '../../shared/payloads/facts.js';
import type { ThermalSample } from './thermal-sample.js';

export const THERMAL_STATES = ['normal', 'warm', 'hot', 'critical'] as const;
export type ThermalState = (typeof THERMAL_STATES)[number];

const HOT = THERMAL_STATES.indexOf('hot');
/** The `--thermal-*` limit whose crossing enters each state. */
const LIMIT_OF_STATE: Record<ThermalState, string> = { normal: 'none', warm: 'warn', hot: 'throttle', critical: 'critical' };

/** The reading that took the node into a level: a temperature over a threshold, or a GPU slowdown flag. */
export type ThermalCrossing =
  | { kind: 'temperature'; tempC: number; thresholdC: number; source: string }
  /** The enclosure reached the node's ambient limit of `state` (tempC as the sensor measured it). */
  | { kind: 'ambient'; tempC: number; sensor: string; state: ThermalState }
  | { kind: 'slowdown'; gpu: number };

export interface ThermalChange {
  from: ThermalState;
  to: ThermalState;
}

/** Lower threshold of each level above normal, indexed by level. */
function thresholds(limits: ThermalLimits): number[] {
  return [-Infinity, limits.warnC, limits.throttleC, limits.criticalC];
}

function levelOf(sample: ThermalSample, limits: ThermalLimits): number {
  const bounds = thresholds(limits);
  let level = 0;
  if (sample.tempC !== null) {
    while (level < bounds.length - 1 && sample.tempC >= (bounds[level + 1] ?? Infinity)) level++;
  }
  return sample.slowdownGpu !== null ? Math.max(level, HOT) : level;
}

/** True when the sample is clearly below `level`: under its threshold minus the hysteresis. */
function calmBelow(level: number, sample: ThermalSample, limits: ThermalLimits): boolean {
  if (sample.tempC === null) return false;
  if (level <= HOT && sample.slowdownGpu !== null) return false;
  return sample.tempC < (thresholds(limits)[level] ?? Infinity) - limits.hysteresisC;
}

function crossing(level: number, sample: ThermalSample, limits: ThermalLimits): ThermalCrossing {
  const thresholdC = thresholds(limits)[level] ?? Infinity;
  if (sample.tempC !== null && sample.tempC >= thresholdC) {
    if (sample.ambient) return { kind: 'ambient', tempC: sample.ambient.tempC, sensor: sample.ambient.sensor, state: THERMAL_STATES[level] ?? 'hot' };
    return { kind: 'temperature', tempC: sample.tempC, thresholdC, source: sample.source };
  }
  return { kind: 'slowdown', gpu: sample.slowdownGpu ?? 0 };
}

export class ThermalTracker {
  private level = 0;
  /** calmSince[k]: since when every reading has been calm below level k (null: not calm now). */
  private readonly calmSince: (number | null)[] = THERMAL_STATES.map(() => null);
  /** crossings[k]: the reading that last took the node up into level k. */
  private readonly crossings: (ThermalCrossing | null)[] = THERMAL_STATES.map(() => null);

  constructor(private readonly holdMs: number) {}

  get state(): ThermalState {
    return THERMAL_STATES[this.level] ?? 'normal';
  }

  /** The reading that took the node into its current state; null in `normal`. */
  get crossing(): ThermalCrossing | null {
    return this.level === 0 ? null : (this.crossings[this.level] ?? null);
  }

  observe(sample: ThermalSample | null, limits: ThermalLimits, now: number): ThermalChange | null {
    if (sample === null) {
      this.calmSince.fill(null);
      return null;
    }
    for (let k = 1; k < THERMAL_STATES.length; k++) {
      this.calmSince[k] = calmBelow(k, sample, limits) ? (this.calmSince[k] ?? now) : null;
    }
    const raw = levelOf(sample, limits);
    if (raw > this.level) {
      for (let k = this.level + 1; k <= raw; k++) this.crossings[k] = crossing(k, sample, limits);
      return this.moveTo(raw);
    }
    for (let target = 0; target < this.level; target++) {
      const since = this.calmSince[target + 1];
      if (since !== null && since !== undefined && now - since >= this.holdMs) return this.moveTo(target);
    }
    return null;
  }

  private moveTo(level: number): ThermalChange {
    const from = this.state;
    this.level = level;
    return { from, to: this.state };
  }
}

export function isHot(state: ThermalState): boolean {
  return state === 'hot' || state === 'critical';
}

/** `78.2 C >= 75 C`, `84.1 C >= 82 C (GPU 0)` or `GPU 0 in thermal slowdown`. */
export function describeCrossing(c: ThermalCrossing): string {
  if (c.kind === 'slowdown') return `GPU ${c.gpu} in thermal slowdown`;
  if (c.kind === 'ambient') return `ambient ${c.tempC.toFixed(1)} C (${c.sensor}) reached its ${LIMIT_OF_STATE[c.state]} limit`;
  const where = c.source === 'CPU' ? '' : ` (${c.source})`;
  return `${c.tempC.toFixed(1)} C >= ${formatThreshold(c.thresholdC)} C${where}`;
}

function formatThreshold(c: number): string {
  return Number.isInteger(c) ? String(c) : c.toFixed(1);
}
