/** Ambient limits: an enclosure that gets too warm makes the node hot like its CPU would. */
import { describe, expect, it } from 'vitest';
import { ambientLimitsProblem, ambientOnCpuScale } from '../../../manager/policy/ambient-limits.js';
import { alerts, kinds, LIMITS, Rig } from './rig.js';

const shed = (tempC: number) => ({ ambient: [{ sensor: 'w1:28-0316a2794bff', tempC, humidityPct: null }, { sensor: 'iio:bme280', tempC: 20, humidityPct: 40 }] });

describe('ambient limits in the heat policy', () => {
  it('ignores ambient readings on a node without ambient limits', () => {
    const rig = new Rig();
    expect(kinds(rig.feed('pi-shed', 50, shed(60)))).toEqual([]);
    expect(rig.engine.view('pi-shed').thermal.state).toBe('normal');
  });

  it('makes a node with a cool CPU hot when its warmest sensor reaches the ambient throttle limit, and names the sensor', () => {
    const rig = new Rig();
    rig.engine.setLimitOverrides('pi-shed', { ambientWarnC: 35, ambientThrottleC: 40, ambientCriticalC: 45 });
    expect(rig.feed('pi-shed', 50, shed(36)).length).toBeGreaterThan(0);
    expect(rig.engine.view('pi-shed').thermal.state).toBe('warm');
    const events = rig.feed('pi-shed', 50, shed(41));
    expect(kinds(events)).toEqual(['thermal.throttle']);
    expect(alerts(events)[0]?.message).toBe('pi-shed is hot: ambient 41.0 C (w1:28-0316a2794bff) reached its throttle limit, throttling 3 tasks');
    expect(rig.engine.refusal('pi-shed')).toContain('ambient 41.0 C (w1:28-0316a2794bff)');
    // Stepping down needs the reading under a limit minus the CPU's hysteresis (5 C on the CPU scale,
    // 5 C of ambient with these limits) for the hold time: 34 C is under throttle, not under warn.
    rig.hold('pi-shed', 12, 50, shed(34));
    expect(rig.engine.view('pi-shed').thermal.state).toBe('warm');
    rig.hold('pi-shed', 12, 50, shed(29));
    expect(rig.engine.view('pi-shed').thermal.state).toBe('normal');
  });

  it('lets the hotter of CPU and ambient decide', () => {
    const rig = new Rig();
    rig.engine.setLimitOverrides('pi-shed', { ambientThrottleC: 40 });
    rig.feed('pi-shed', 86, shed(30));
    expect(rig.engine.view('pi-shed').thermal.state).toBe('critical');
  });

  it('refuses ambient limits out of order, naming them', () => {
    const rig = new Rig();
    expect(() => rig.engine.setLimitOverrides('pi-shed', { ambientWarnC: 40, ambientThrottleC: 35 })).toThrow(
      'ambient warn limit 40 C must be below ambient throttle limit 35 C',
    );
    expect(ambientLimitsProblem({ ambientThrottleC: 40 })).toBeNull();
  });
});

describe('ambientOnCpuScale', () => {
  it('maps each ambient limit onto the CPU limit of its level, linear in between and beyond', () => {
    const all = { ambientWarnC: 35, ambientThrottleC: 40, ambientCriticalC: 45 };
    expect(ambientOnCpuScale(35, all, LIMITS)).toBe(LIMITS.warnC);
    expect(ambientOnCpuScale(40, all, LIMITS)).toBe(LIMITS.throttleC);
    expect(ambientOnCpuScale(45, all, LIMITS)).toBe(LIMITS.criticalC);
    expect(ambientOnCpuScale(42.5, all, LIMITS)).toBe(80);
    expect(ambientOnCpuScale(30, all, LIMITS)).toBe(65);
    // One limit: degree for degree around it.
    expect(ambientOnCpuScale(38, { ambientThrottleC: 40 }, LIMITS)).toBe(73);
    expect(ambientOnCpuScale(38, {}, LIMITS)).toBeNull();
  });
});
