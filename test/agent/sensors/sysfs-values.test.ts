import { describe, expect, it } from 'vitest';
import { RESTART_BACKOFF } from '../../../agent/sensors/nvidia-stream.js';
import { Backoff } from '../../../shared/backoff.js';
import { milliCelsius, parseInteger, suffixDuplicates } from '../../../agent/sensors/sysfs-values.js';

describe('sysfs values', () => {
  it('parses whole numbers only', () => {
    expect(parseInteger(' 49925\n')).toBe(49925);
    expect(parseInteger('-44000')).toBe(-44000);
    for (const bad of ['hot', '', '1.5', '0x10', '12abc', null]) expect(parseInteger(bad)).toBeNull();
  });

  it('converts millidegrees and drops sentinels', () => {
    expect(milliCelsius('71540')).toBe(71.54);
    expect(milliCelsius('-44000')).toBe(-44);
    expect(milliCelsius('-256000')).toBeNull();
    expect(milliCelsius('65261850')).toBeNull();
  });

  it('suffixes only repeated names', () => {
    expect(suffixDuplicates(['coretemp', 'nvme', 'coretemp'])).toEqual(['coretemp.0', 'nvme', 'coretemp.1']);
  });
});

describe('nvidia-smi restart backoff', () => {
  it('doubles from 1 s up to a minute and starts over after a reset', () => {
    const b = new Backoff(RESTART_BACKOFF);
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    b.reset();
    expect(b.next()).toBe(1000);
  });
});
