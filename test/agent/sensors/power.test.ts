import { describe, expect, it } from 'vitest';
import { decodeThrottleWord } from '../../../agent/sensors/pi-throttle.js';
import { combinePower } from '../../../agent/sensors/power.js';

describe('power reading', () => {
  it('is all null on a board with no power sources', () => {
    expect(combinePower(null, null, null)).toEqual({
      underVoltageNow: null,
      underVoltageOccurred: null,
      throttledNow: null,
      freqCappedNow: null,
      softTempLimitNow: null,
      inputVolts: null,
    });
  });

  it('says under-voltage now when any source does', () => {
    const clear = decodeThrottleWord('0');
    expect(combinePower(clear, false, 5.1).underVoltageNow).toBe(false);
    expect(combinePower(clear, true, 5.1).underVoltageNow).toBe(true);
    expect(combinePower(clear, false, 4.62).underVoltageNow).toBe(true);
    expect(combinePower(null, null, 4.63).underVoltageNow).toBe(false);
  });
});
