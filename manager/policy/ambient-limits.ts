/**
 * Ambient limits (`kelvin node update --thermal-ambient-warn/-throttle/-critical`): a board whose
 * enclosure or room gets too warm is treated like a board whose CPU does, by the same state machine.
 * The ambient reading is placed on the CPU limits' scale: each ambient limit the user set maps to the
 * CPU limit of the same level, linearly in between (and beyond, along the nearest segment), so
 * "ambient at its throttle limit" is "CPU at its throttle limit" and the hotter of the two decides.
 */
import type { ThermalLimits } from '../../shared/payloads/facts.js';
import type { ThermalLimitOverrides } from './limits.js';

const LEVELS = [
  ['ambientWarnC', 'warnC', 'warn'],
  ['ambientThrottleC', 'throttleC', 'throttle'],
  ['ambientCriticalC', 'criticalC', 'critical'],
] as const;

/** The ambient limits set, in rising order; empty when none is. */
function points(overrides: ThermalLimitOverrides, cpu: ThermalLimits): Array<{ ambientC: number; cpuC: number }> {
  return LEVELS.flatMap(([ambientKey, cpuKey]) => {
    const ambientC = overrides[ambientKey];
    return ambientC === undefined || ambientC === null ? [] : [{ ambientC, cpuC: cpu[cpuKey] }];
  });
}

export function hasAmbientLimits(overrides: ThermalLimitOverrides): boolean {
  return LEVELS.some(([key]) => overrides[key] !== undefined && overrides[key] !== null);
}

/** The ambient reading on the CPU scale; null when no ambient limit is set. */
export function ambientOnCpuScale(ambientC: number, overrides: ThermalLimitOverrides, cpu: ThermalLimits): number | null {
  const p = points(overrides, cpu);
  const [first, second] = p;
  if (!first) return null;
  if (!second) return first.cpuC + (ambientC - first.ambientC);
  let i = 0;
  while (i < p.length - 2 && ambientC > (p[i + 1]?.ambientC ?? Infinity)) i++;
  const a = p[i] ?? first;
  const b = p[i + 1] ?? second;
  return a.cpuC + ((ambientC - a.ambientC) * (b.cpuC - a.cpuC)) / (b.ambientC - a.ambientC);
}

/** What is wrong with the ambient limits (out of order, not finite), naming the flag's limit; null when fine. */
export function ambientLimitsProblem(overrides: ThermalLimitOverrides): string | null {
  let below: { name: string; value: number } | null = null;
  for (const [key, , name] of LEVELS) {
    const value = overrides[key];
    if (value === undefined || value === null) continue;
    if (!Number.isFinite(value)) return `ambient ${name} limit must be a number, got ${value}`;
    if (below && below.value >= value) return `ambient ${below.name} limit ${below.value} C must be below ambient ${name} limit ${value} C`;
    below = { name, value };
  }
  return null;
}
