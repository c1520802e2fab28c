import { describe, expect, it } from 'vitest';
import { alerts, kinds, Rig, summary } from './rig.js';

const NODE = 'pi-4';
const dip = { power: { underVoltageNow: true, underVoltageOccurred: true, inputVolts: 4.52 } };
const clean = { power: { underVoltageNow: false, underVoltageOccurred: true, inputVolts: 5.05 } };

describe('under-voltage', () => {
  it('makes the node unstable at once with one alert, and refuses new work naming how long ago', () => {
    const rig = new Rig();
    rig.feed(NODE, 50, clean);
    const events = rig.feed(NODE, 50, dip);
    expect(summary(events)).toEqual(['alert:power.undervoltage', 'placement-changed']);
    expect(alerts(events)[0]?.message).toBe('pi-4 is under-voltage (4.52 V): no new work until power is clean for 5 min');
    expect(rig.engine.view(NODE).power).toEqual({ state: 'unstable', underVoltageNow: true, brownouts: 1 });
    expect(rig.hold(NODE, 5, 50, dip)).toEqual([]); // one dip, however many samples
    rig.hold(NODE, 12, 50, clean);
    expect(rig.engine.refusal(NODE)).toBe('power unstable: under-voltage 12 s ago');
    expect(rig.engine.view(NODE).power).toEqual({ state: 'unstable', underVoltageNow: false, brownouts: 1 });
  });

  it('is stable again only after 5 min clean, with one recovery alert', () => {
    const rig = new Rig();
    rig.feed(NODE, 50, dip);
    expect(rig.hold(NODE, 299, 50, clean)).toEqual([]);
    const recovered = rig.hold(NODE, 1, 50, clean);
    expect(summary(recovered)).toEqual(['alert:power.recovered', 'placement-changed']);
    expect(alerts(recovered)[0]?.message).toBe('pi-4 power is stable again: no under-voltage for 5 min');
    expect(rig.engine.refusal(NODE)).toBeNull();
    expect(rig.hold(NODE, 60, 50, clean)).toEqual([]);
  });

  it('restarts the clean clock on a new dip and counts it as another brownout', () => {
    const rig = new Rig();
    rig.feed(NODE, 50, dip);
    rig.hold(NODE, 200, 50, clean);
    expect(rig.hold(NODE, 1, 50, dip)).toEqual([]); // already unstable: no second alert
    expect(rig.engine.view(NODE).power.brownouts).toBe(2);
    expect(kinds(rig.hold(NODE, 299, 50, clean))).toEqual([]);
    expect(kinds(rig.hold(NODE, 1, 50, clean))).toEqual(['power.recovered']);
  });

  it('takes the stable time from the options', () => {
    const rig = new Rig({ powerStableMs: 30_000 });
    rig.feed(NODE, 50, dip);
    expect(kinds(rig.hold(NODE, 30, 50, clean))).toEqual(['power.recovered']);
  });

  it('ignores null readings: no dip, no recovery, no split of one dip into two', () => {
    const rig = new Rig({ powerStableMs: 10_000 });
    const unknown = { power: { underVoltageNow: null } };
    expect(rig.hold(NODE, 5, 50, unknown)).toEqual([]);
    rig.feed(NODE, 50, dip);
    rig.hold(NODE, 3, 50, unknown);
    rig.hold(NODE, 1, 50, dip);
    expect(rig.engine.view(NODE).power.brownouts).toBe(1);
    expect(rig.hold(NODE, 60, 50, unknown)).toEqual([]);
    expect(rig.engine.view(NODE).power).toEqual({ state: 'unstable', underVoltageNow: null, brownouts: 1 });
    expect(kinds(rig.hold(NODE, 1, 50, clean))).toEqual(['power.recovered']);
  });

  it('does not let the sticky since-boot flag alone make the node unstable', () => {
    const rig = new Rig();
    expect(rig.hold(NODE, 3, 50, clean)).toEqual([]);
    expect(rig.engine.view(NODE).power.state).toBe('stable');
  });
});
