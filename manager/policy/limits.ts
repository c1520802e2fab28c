/**
 * Effective thermal limits of a node: the hardware profile's limits (NodeFacts.thermalLimits)
 * overlaid by what the manager set with `kelvin node update --thermal-warn/-throttle/-critical`.
 */
import type { ThermalLimits } from '../../shared/payloads/facts.js';

/** Manager-set overrides; an absent or null field keeps the profile's value. */
export interface ThermalLimitOverrides {
  warnC?: number | null;
  throttleC?: number | null;
  criticalC?: number | null;
  /** Limits on the ambient sensors (ambient-limits.ts); unset: ambient readings do not count. */
  ambientWarnC?: number | null;
  ambientThrottleC?: number | null;
  ambientCriticalC?: number | null;
}

/** The limits that must rise strictly, in order, with the names users know from the flags. */
const RISING = [
  ['warnC', 'warn'],
  ['throttleC', 'throttle'],
  ['criticalC', 'critical'],
] as const;

/**
 * What is wrong with (possibly partial) limits, naming the limit, e.g.
 * `thermal warn limit 80 C must be below throttle limit 75 C`; null when they are fine.
 * Partial limits are checked among the fields given, so overrides can be checked before a profile is known.
 */
export function thermalLimitsProblem(limits: Partial<ThermalLimits> | ThermalLimitOverrides): string | null {
  let below: { name: string; value: number } | null = null;
  for (const [field, name] of RISING) {
    const value = limits[field];
    if (value === undefined || value === null) continue;
    if (!Number.isFinite(value)) return `thermal ${name} limit must be a number, got ${value}`;
    if (below && below.value >= value) return `thermal ${below.name} limit ${below.value} C must be below ${name} limit ${value} C`;
    below = { name, value };
  }
  const hysteresis = 'hysteresisC' in limits ? limits.hysteresisC : undefined;
  if (hysteresis !== undefined && !(hysteresis >= 0)) return `thermal hysteresis ${hysteresis} C must be a number >= 0`;
  return null;
}

/** Profile limits overlaid by overrides, unchecked. */
export function overlayLimits(profile: ThermalLimits, overrides: ThermalLimitOverrides): ThermalLimits {
  return {
    warnC: overrides.warnC ?? profile.warnC,
    throttleC: overrides.throttleC ?? profile.throttleC,
    criticalC: overrides.criticalC ?? profile.criticalC,
    hysteresisC: profile.hysteresisC,
  };
}

/** Profile limits overlaid by overrides; throws one line naming the limit that is out of order. */
export function resolveThermalLimits(profile: ThermalLimits, overrides: ThermalLimitOverrides): ThermalLimits {
  const limits = overlayLimits(profile, overrides);
  const problem = thermalLimitsProblem(limits);
  if (problem) throw new Error(problem);
  return limits;
}
