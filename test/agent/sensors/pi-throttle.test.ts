import { describe, expect, it } from 'vitest';
import { HostFs } from '../../../agent/sensors/host-fs.js';
import { decodeThrottleWord, findThrottleFile, readThrottleFlags } from '../../../agent/sensors/pi-throttle.js';
import { silentLogger } from '../../../shared/logger.js';
import { boardRoot } from './fixture-boards.js';

const fsFor = (name: string) => new HostFs(boardRoot(name), silentLogger());

describe('Pi throttle word', () => {
  it('decodes 50005: under-voltage and throttled now, under-voltage since boot', () => {
    expect(decodeThrottleWord('50005')).toEqual({
      underVoltageNow: true,
      freqCappedNow: false,
      throttledNow: true,
      softTempLimitNow: false,
      underVoltageOccurred: true,
    });
  });

  it('decodes the vcgencmd form and the soft temperature limit bit', () => {
    expect(decodeThrottleWord('throttled=0xa')).toMatchObject({ freqCappedNow: true, softTempLimitNow: true, underVoltageNow: false });
  });

  it('refuses garbage', () => {
    expect(decodeThrottleWord('0xZZ')).toBeNull();
    expect(decodeThrottleWord('')).toBeNull();
    expect(decodeThrottleWord(null)).toBeNull();
  });

  it('finds the word under soc/soc:firmware (Pi 4) and soc@107c000000 (Pi 5), and nowhere on x86', async () => {
    expect(await findThrottleFile(fsFor('rpi4'))).toBe('sys/devices/platform/soc/soc:firmware/get_throttled');
    expect(await findThrottleFile(fsFor('rpi5'))).toBe('sys/devices/platform/soc@107c000000/soc@107c000000:firmware/get_throttled');
    expect(await findThrottleFile(fsFor('x86-intel'))).toBeNull();
  });

  it('reads null flags for a garbled word', async () => {
    const fs = fsFor('broken');
    expect(await readThrottleFlags(fs, await findThrottleFile(fs))).toBeNull();
  });
});
