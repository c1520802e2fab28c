/** A valid telemetry payload for tests that feed the manager directly; `patch` sets the readings that matter. */
import type { Telemetry } from '../../shared/payloads/telemetry.js';

export function telemetrySample(patch: Partial<Telemetry> = {}): Telemetry {
  return {
    v: 1,
    ts: Date.now(),
    seq: 0,
    cpuTempC: 50,
    temps: [],
    voltages: [],
    power: { underVoltageNow: false, underVoltageOccurred: false, throttledNow: false, freqCappedNow: false, softTempLimitNow: false, inputVolts: 5.1 },
    gpus: [],
    gpuStale: false,
    load1: 0.5,
    memUsedBytes: null,
    ...patch,
  };
}
