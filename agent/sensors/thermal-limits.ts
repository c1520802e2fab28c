/**
 * Kelvin's thermal limits for a board: the profile's, lowered where the kernel says the board
 * slows itself earlier. Kelvin must act before the board does, so the critical limit stays
 * SLOWDOWN_MARGIN_C under the lowest passive trip point or CPU TjMax, and SHUTDOWN_MARGIN_C under
 * the lowest critical (shutdown) trip point; warn and throttle move down by the same amount so
 * the profile's spacing is kept.
 */
import type { ThermalLimits } from '../../shared/payloads/facts.js';
import type { TripPoint } from './thermal-zones.js';

const SLOWDOWN_MARGIN_C = 2;
const SHUTDOWN_MARGIN_C = 10;

export function deriveThermalLimits(profile: ThermalLimits, cpuTrips: TripPoint[], cpuTjMaxC: number[]): ThermalLimits {
  // Trip points at or below 0 C are unset (x86_pkg_temp ships them as 0).
  const usable = cpuTrips.filter((t) => t.tempC > 0);
  const slowdown = [...usable.filter((t) => t.type === 'passive').map((t) => t.tempC), ...cpuTjMaxC.filter((c) => c > 0)];
  const shutdown = usable.filter((t) => t.type === 'critical').map((t) => t.tempC);
  const ceiling = Math.min(...slowdown.map((c) => c - SLOWDOWN_MARGIN_C), ...shutdown.map((c) => c - SHUTDOWN_MARGIN_C));
  const shift = Number.isFinite(ceiling) ? Math.max(0, profile.criticalC - ceiling) : 0;
  return {
    warnC: profile.warnC - shift,
    throttleC: profile.throttleC - shift,
    criticalC: profile.criticalC - shift,
    hysteresisC: profile.hysteresisC,
  };
}
