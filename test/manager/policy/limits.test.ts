import { describe, expect, it } from 'vitest';
import { resolveThermalLimits, thermalLimitsProblem } from '../../../manager/policy/index.js';
import { LIMITS, Rig } from './rig.js';

describe('effective thermal limits', () => {
  it('overlays manager overrides on the profile limits', () => {
    expect(resolveThermalLimits(LIMITS, { throttleC: 80, criticalC: null })).toEqual({ warnC: 70, throttleC: 80, criticalC: 85, hysteresisC: 5 });
  });

  it('names the limit that is out of order', () => {
    expect(() => resolveThermalLimits(LIMITS, { warnC: 80 })).toThrow('thermal warn limit 80 C must be below throttle limit 75 C');
    expect(() => resolveThermalLimits(LIMITS, { criticalC: 75 })).toThrow('thermal throttle limit 75 C must be below critical limit 75 C');
    expect(() => resolveThermalLimits(LIMITS, { throttleC: Number.NaN })).toThrow('thermal throttle limit must be a number');
    expect(thermalLimitsProblem({ ...LIMITS, hysteresisC: -1 })).toBe('thermal hysteresis -1 C must be a number >= 0');
    expect(thermalLimitsProblem(LIMITS)).toBeNull();
  });

  it('checks overrides among themselves before the node has reported its profile', () => {
    expect(thermalLimitsProblem({ warnC: 90, criticalC: 85 })).toBe('thermal warn limit 90 C must be below critical limit 85 C');
    const rig = new Rig();
    expect(() => rig.engine.setLimitOverrides('pi-4', { warnC: 90, throttleC: 80 })).toThrow('thermal warn limit 90 C must be below throttle limit 80 C');
    rig.engine.setLimitOverrides('pi-4', { throttleC: 80 });
    rig.feed('pi-4', 78.2);
    expect(rig.engine.view('pi-4').thermal).toMatchObject({ state: 'warm', limits: { throttleC: 80 } });
  });

  it('drives the states from the effective limits and rejects a bad override without changing them', () => {
    const rig = new Rig();
    rig.feed('pi-4', 60);
    rig.engine.setLimitOverrides('pi-4', { warnC: 50, throttleC: 60, criticalC: 70 });
    rig.advance(1000);
    rig.feed('pi-4', 61.5);
    expect(rig.engine.refusal('pi-4')).toBe('node too hot: 61.5 C >= 60 C');
    expect(() => rig.engine.setLimitOverrides('pi-4', { throttleC: 90 })).toThrow('thermal throttle limit 90 C must be below critical limit 85 C');
    expect(rig.engine.view('pi-4').thermal.limits).toEqual({ warnC: 50, throttleC: 60, criticalC: 70, hysteresisC: 5 });
  });

  it('sets aside overrides that a changed profile no longer fits', () => {
    const rig = new Rig();
    rig.engine.setLimitOverrides('pi-4', { warnC: 72 });
    rig.feed('pi-4', 60, {}, { warnC: 60, throttleC: 65, criticalC: 70, hysteresisC: 3 });
    expect(rig.engine.view('pi-4').thermal.limits).toEqual({ warnC: 60, throttleC: 65, criticalC: 70, hysteresisC: 3 });
    expect(rig.engine.view('pi-4').thermal.state).toBe('warm');
  });
});
