/**
 * The power part of a reading, merged from every source a board has: the Pi throttle word, the
 * `rpi_volt` alarm and the Pi 5 PMIC input voltage. A flag no source can tell is null.
 */
import type { PowerReading } from '../../shared/payloads/telemetry.js';
import { PI_UNDER_VOLTAGE_V } from './pi-pmic.js';
import type { ThrottleFlags } from './pi-throttle.js';

/** True if any source says so, false if at least one source says not, null if none can tell. */
function anyTrue(values: Array<boolean | null | undefined>): boolean | null {
  if (values.includes(true)) return true;
  return values.includes(false) ? false : null;
}

export function combinePower(throttle: ThrottleFlags | null, underVoltageAlarm: boolean | null, inputVolts: number | null): PowerReading {
  return {
    underVoltageNow: anyTrue([throttle?.underVoltageNow, underVoltageAlarm, inputVolts === null ? null : inputVolts < PI_UNDER_VOLTAGE_V]),
    underVoltageOccurred: throttle?.underVoltageOccurred ?? null,
    throttledNow: throttle?.throttledNow ?? null,
    freqCappedNow: throttle?.freqCappedNow ?? null,
    softTempLimitNow: throttle?.softTempLimitNow ?? null,
    inputVolts,
  };
}
