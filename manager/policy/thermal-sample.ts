/**
 * The one reading the thermal state machine looks at per telemetry sample: the hottest of the CPU
 * and GPU temperatures, plus the first GPU in NVIDIA thermal slowdown (which counts as at least hot).
 */
import type { Telemetry } from '../../shared/payloads/telemetry.js';

export interface ThermalSample {
  /** Hottest readable temperature; null when none could be read. */
  tempC: number | null;
  /** Where tempC comes from: `CPU` or `GPU 0`. */
  source: string;
  /** Index of a GPU reporting thermal slowdown, or null. */
  slowdownGpu: number | null;
}

/**
 * Null when the sample says nothing (no temperature and no slowdown flag): such a sample never
 * changes the state. GPU readings are used even when `gpuStale`: they are the last known values,
 * which neither prove the board cool nor hot.
 */
export function thermalSample(telemetry: Telemetry): ThermalSample | null {
  let tempC = telemetry.cpuTempC;
  let source = 'CPU';
  for (const gpu of telemetry.gpus) {
    if (gpu.tempC !== null && (tempC === null || gpu.tempC > tempC)) {
      tempC = gpu.tempC;
      source = `GPU ${gpu.index}`;
    }
  }
  const slowdownGpu = telemetry.gpus.find((g) => g.thermalSlowdown === true)?.index ?? null;
  if (tempC === null && slowdownGpu === null) return null;
  return { tempC, source, slowdownGpu };
}
