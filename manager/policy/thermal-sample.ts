/**
 * The one reading the thermal state machine looks at per telemetry sample: the hottest of the CPU
 * and GPU temperatures and, where the node has ambient limits, its warmest ambient sensor placed on
 * the CPU scale (ambient-limits.ts); plus the first GPU in NVIDIA thermal slowdown (which counts as
 * at least hot).
 */
import { warmestAmbient } from '../../shared/ambient.js';
import type { ThermalLimits } from '../../shared/payloads/facts.js';
import type { Telemetry } from '../../shared/payloads/telemetry.js';
import { ambientOnCpuScale } from './ambient-limits.js';
import type { ThermalLimitOverrides } from './limits.js';

export interface ThermalSample {
  /** Hottest readable temperature; null when none could be read. */
  tempC: number | null;
  /** Where tempC comes from: `CPU` or `GPU 0`. */
  source: string;
  /** Index of a GPU reporting thermal slowdown, or null. */
  slowdownGpu: number | null;
  /** Set when tempC is the ambient sensor's reading on the CPU scale: the reading as measured. */
  ambient?: { sensor: string; tempC: number };
}

/**
 * Null when the sample says nothing (no temperature and no slowdown flag): such a sample never
 * changes the state. GPU readings are used even when `gpuStale`: they are the last known values,
 * which neither prove the board cool nor hot.
 */
export function thermalSample(telemetry: Telemetry, limits?: { cpu: ThermalLimits; overrides: ThermalLimitOverrides }): ThermalSample | null {
  let tempC = telemetry.cpuTempC;
  let source = 'CPU';
  for (const gpu of telemetry.gpus) {
    if (gpu.tempC !== null && (tempC === null || gpu.tempC > tempC)) {
      tempC = gpu.tempC;
      source = `GPU ${gpu.index}`;
    }
  }
  let ambient: ThermalSample['ambient'];
  const warmest = limits ? warmestAmbient(telemetry) : null;
  const onCpuScale = warmest && limits ? ambientOnCpuScale(warmest.tempC, limits.overrides, limits.cpu) : null;
  if (warmest && onCpuScale !== null && (tempC === null || onCpuScale > tempC)) {
    tempC = onCpuScale;
    source = `ambient ${warmest.sensor}`;
    ambient = { sensor: warmest.sensor, tempC: warmest.tempC };
  }
  const slowdownGpu = telemetry.gpus.find((g) => g.thermalSlowdown === true)?.index ?? null;
  if (tempC === null && slowdownGpu === null) return null;
  return { tempC, source, slowdownGpu, ...(ambient ? { ambient } : {}) };
}
