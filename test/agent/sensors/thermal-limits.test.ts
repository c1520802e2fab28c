import { describe, expect, it } from 'vitest';
import { deriveThermalLimits } from '../../../agent/sensors/thermal-limits.js';

const PROFILE = { warnC: 80, throttleC: 87, criticalC: 94, hysteresisC: 5 };

describe('thermal limits from profile and kernel trip points', () => {
  it('keeps the profile when the board slows itself well above it', () => {
    expect(deriveThermalLimits(PROFILE, [{ type: 'passive', tempC: 99 }, { type: 'critical', tempC: 110 }], [100])).toEqual(PROFILE);
  });

  it('moves all limits down to stay 2 C under a lower passive trip point, keeping their spacing', () => {
    expect(deriveThermalLimits(PROFILE, [{ type: 'passive', tempC: 85 }], [])).toEqual({ warnC: 69, throttleC: 76, criticalC: 83, hysteresisC: 5 });
  });

  it('stays 2 C under a low TjMax and 10 C under a low shutdown trip point', () => {
    expect(deriveThermalLimits(PROFILE, [], [90]).criticalC).toBe(88);
    expect(deriveThermalLimits(PROFILE, [{ type: 'critical', tempC: 95 }], []).criticalC).toBe(85);
  });

  it('ignores unset (0 C) trip points and active (fan) trips', () => {
    expect(deriveThermalLimits(PROFILE, [{ type: 'passive', tempC: 0 }, { type: 'active', tempC: 50 }], [])).toEqual(PROFILE);
  });
});
