import { describe, expect, it } from 'vitest';
import { alerts, kinds, Rig, summary } from './rig.js';

const NODE = 'pi-4';

describe('thermal states going up', () => {
  it('moves normal -> warm -> hot -> critical at once, with one alert per transition', () => {
    const rig = new Rig();
    expect(rig.feed(NODE, 65)).toEqual([]);
    expect(rig.engine.view(NODE).thermal.state).toBe('normal');

    expect(summary(rig.feed(NODE, 71))).toEqual(['placement-changed']);
    expect(rig.engine.view(NODE).thermal.state).toBe('warm');
    expect(rig.engine.refusal(NODE)).toBeNull();

    const hot = rig.feed(NODE, 78.2);
    expect(summary(hot)).toEqual(['alert:thermal.throttle', 'throttle-changed', 'placement-changed']);
    const [throttle] = alerts(hot);
    expect(throttle?.message).toBe('pi-4 is hot: 78.2 C >= 75 C, throttling 3 tasks');
    expect(throttle?.severity).toBe('warning');
    expect(throttle?.details).toMatchObject({ from: 'warm', to: 'hot', tempC: 78.2 });
    expect(rig.engine.refusal(NODE)).toBe('node too hot: 78.2 C >= 75 C');

    const critical = rig.feed(NODE, 86);
    expect(summary(critical)).toEqual(['alert:thermal.throttle', 'throttle-changed', 'alert:thermal.failover', 'migrate']);
    expect(alerts(critical)[0]?.severity).toBe('critical');
    expect(alerts(critical)[0]?.message).toBe('pi-4 is critical: 86.0 C >= 85 C, throttling 3 tasks');
    expect(rig.engine.refusal(NODE)).toBe('node too hot: 86.0 C >= 85 C');
  });

  it('jumps straight from normal to critical and migrates in the same step', () => {
    const rig = new Rig();
    rig.feed(NODE, 60);
    const events = rig.feed(NODE, 90.04);
    expect(summary(events)).toEqual(['alert:thermal.throttle', 'throttle-changed', 'placement-changed', 'alert:thermal.failover', 'migrate']);
    expect(events.find((e) => e.type === 'migrate')).toEqual({ type: 'migrate', nodeId: NODE, reason: 'node critical: 90.0 C >= 85 C' });
  });

  it('keeps quiet while readings stay within a state', () => {
    const rig = new Rig();
    rig.feed(NODE, 78);
    expect(rig.hold(NODE, 5, (i) => 76 + i)).toEqual([]);
  });
});

describe('cooling down with hysteresis and hold', () => {
  it('stays hot below the threshold until below threshold - hysteresis', () => {
    const rig = new Rig();
    rig.feed(NODE, 78.2);
    // 72 C is under 75 C but not under 70 C (75 - 5): no amount of time lets it cool.
    expect(kinds(rig.hold(NODE, 60, 72))).not.toContain('thermal.recovered');
    expect(rig.engine.view(NODE).thermal.state).toBe('hot');
  });

  it('steps hot -> warm only after 10 s below 70 C, then warm -> normal after 10 s below 65 C', () => {
    const rig = new Rig({ sustainMs: 600_000 });
    rig.feed(NODE, 78.2);
    rig.advance(1000);
    rig.feed(NODE, 69.9); // the calm run starts here
    expect(rig.hold(NODE, 9, 69.9)).toEqual([]);
    const recovered = rig.hold(NODE, 1, 69.9);
    expect(summary(recovered)).toEqual(['alert:thermal.recovered', 'throttle-changed', 'placement-changed']);
    expect(alerts(recovered)[0]?.message).toBe('pi-4 cooled to warm (69.9 C): tasks unthrottled, taking work again');
    expect(rig.engine.view(NODE).thermal.state).toBe('warm');
    expect(rig.engine.refusal(NODE)).toBeNull();

    rig.advance(1000);
    expect(rig.feed(NODE, 64)).toEqual([]);
    expect(rig.hold(NODE, 9, 64)).toEqual([]);
    expect(summary(rig.hold(NODE, 1, 64))).toEqual(['placement-changed']);
    expect(rig.engine.view(NODE).thermal.state).toBe('normal');
  });

  it('drops from critical straight to normal when cold for the hold time, with one recovery alert', () => {
    const rig = new Rig({ sustainMs: 60_000 });
    rig.feed(NODE, 88);
    const events = rig.hold(NODE, 11, 50); // first cold reading + 10 s
    expect(summary(events)).toEqual(['alert:thermal.recovered', 'throttle-changed', 'placement-changed']);
    expect(alerts(events)[0]?.details).toMatchObject({ from: 'critical', to: 'normal' });
    expect(rig.engine.view(NODE).thermal.state).toBe('normal');
  });

  it('restarts the hold when a reading comes back above threshold - hysteresis', () => {
    const rig = new Rig({ sustainMs: 600_000 });
    rig.feed(NODE, 78);
    rig.hold(NODE, 8, 68);
    rig.hold(NODE, 1, 71); // not hot again, but not calm either
    expect(rig.hold(NODE, 10, 68)).toEqual([]);
    expect(rig.engine.view(NODE).thermal.state).toBe('hot');
    expect(kinds(rig.hold(NODE, 1, 68))).toEqual(['thermal.recovered']);
  });

  it('takes the hold time from the options', () => {
    const rig = new Rig({ holdMs: 3000 });
    rig.feed(NODE, 72);
    rig.hold(NODE, 3, 60);
    expect(rig.engine.view(NODE).thermal.state).toBe('warm');
    rig.hold(NODE, 1, 60);
    expect(rig.engine.view(NODE).thermal.state).toBe('normal');
  });
});

describe('noise around a threshold', () => {
  const noise = (center: number) => (i: number) => center + (i % 2 === 0 ? 1 : -1) * (i % 3 === 0 ? 0.4 : 1);

  it('gives one throttle alert, one migrate and no flapping for a minute of +/-1 C around 75 C', () => {
    const rig = new Rig();
    rig.feed(NODE, 74);
    const events = rig.hold(NODE, 60, noise(75));
    expect(kinds(events)).toEqual(['thermal.throttle', 'thermal.failover']);
    expect(events.filter((e) => e.type === 'migrate')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'throttle-changed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'placement-changed')).toHaveLength(1);
    expect(rig.engine.view(NODE).thermal.state).toBe('hot');
  });

  it('enters warm once for a minute of +/-1 C around 70 C', () => {
    const rig = new Rig();
    rig.feed(NODE, 60);
    const events = rig.hold(NODE, 60, noise(70));
    expect(summary(events)).toEqual(['placement-changed']);
    expect(rig.engine.view(NODE).thermal.state).toBe('warm');
  });
});

describe('sustained heat', () => {
  it('migrates exactly once per episode, after the sustain time', () => {
    const rig = new Rig({ sustainMs: 10_000 });
    rig.feed(NODE, 78.2);
    const since = rig.t;
    expect(rig.engine.nextDeadline()).toBe(since + 10_000);
    rig.advance(9_999);
    expect(rig.engine.tick()).toEqual([]);
    rig.advance(1);
    const due = rig.engine.tick();
    expect(summary(due)).toEqual(['alert:thermal.failover', 'migrate']);
    expect(due[1]).toEqual({ type: 'migrate', nodeId: NODE, reason: 'node too hot for 10 s: 78.2 C >= 75 C' });
    expect(alerts(due)[0]?.message).toBe('pi-4 has been hot for 10 s (78.2 C >= 75 C): moving its movable tasks to cooler nodes');
    expect(rig.engine.nextDeadline()).toBeNull();

    // Still hot, then critical, within the same episode: no second migrate.
    rig.advance(5000);
    expect(rig.engine.tick()).toEqual([]);
    expect(summary(rig.hold(NODE, 30, 80))).toEqual([]);
    expect(summary(rig.feed(NODE, 87))).toEqual(['alert:thermal.throttle', 'throttle-changed']);

    // A new episode after recovery migrates again.
    rig.hold(NODE, 11, 60);
    expect(rig.engine.view(NODE).thermal.state).toBe('normal');
    rig.feed(NODE, 76);
    rig.advance(10_000);
    expect(summary(rig.engine.tick())).toEqual(['alert:thermal.failover', 'migrate']);
  });

  it('also migrates on a reading that arrives after the sustain time, before any tick', () => {
    const rig = new Rig({ sustainMs: 5000 });
    rig.feed(NODE, 77);
    expect(summary(rig.hold(NODE, 5, 77))).toEqual(['alert:thermal.failover', 'migrate']);
    expect(rig.engine.tick()).toEqual([]);
  });

  it('measures the sustain time across hot and critical, and not once the node cooled', () => {
    const rig = new Rig({ sustainMs: 10_000, holdMs: 2000 });
    rig.feed(NODE, 76);
    rig.hold(NODE, 3, 60); // cools back to normal at the 2 s mark
    expect(rig.engine.view(NODE).thermal.state).toBe('normal');
    rig.advance(20_000);
    expect(rig.engine.tick()).toEqual([]);
  });

  it('throttles harder when critical and back to half when it cools to hot', () => {
    const rig = new Rig();
    rig.feed(NODE, 86);
    expect(rig.engine.throttleFor(NODE, null, 4)).toEqual({ cpus: 1 });
    const events = rig.hold(NODE, 11, 78); // under 80 C (85 - 5) for 10 s: critical -> hot
    expect(summary(events)).toEqual(['throttle-changed']);
    expect(rig.engine.throttleFor(NODE, null, 4)).toEqual({ cpus: 2 });
    // The reason still names a crossing that really happened in this episode.
    expect(rig.engine.refusal(NODE)).toBe('node too hot: 86.0 C >= 75 C');
  });
});

describe('GPU readings', () => {
  it('lets a hot GPU make the node hot, naming the GPU', () => {
    const rig = new Rig();
    const events = rig.feed(NODE, 50, { gpus: [{ tempC: 60 }, { tempC: 80.25 }] });
    expect(alerts(events)[0]?.message).toBe('pi-4 is hot: 80.3 C >= 75 C (GPU 1), throttling 3 tasks');
    expect(rig.engine.refusal(NODE)).toBe('node too hot: 80.3 C >= 75 C (GPU 1)');
  });

  it('counts a GPU in thermal slowdown as hot until the flag clears', () => {
    const rig = new Rig();
    const events = rig.feed(NODE, 40, { gpus: [{ tempC: 55, thermalSlowdown: true }] });
    expect(kinds(events)).toEqual(['thermal.throttle']);
    expect(rig.engine.refusal(NODE)).toBe('node too hot: GPU 0 in thermal slowdown');
    expect(kinds(rig.hold(NODE, 60, 40, { gpus: [{ tempC: 55, thermalSlowdown: true }] }))).not.toContain('thermal.recovered');
    expect(rig.engine.view(NODE).thermal.state).toBe('hot');
    const cooled = rig.hold(NODE, 11, 40, { gpus: [{ tempC: 55, thermalSlowdown: false }] });
    expect(kinds(cooled)).toEqual(['thermal.recovered']);
    expect(rig.engine.view(NODE).thermal.state).toBe('normal');
  });

  it('goes critical on temperature even while a GPU is in slowdown', () => {
    const rig = new Rig();
    rig.feed(NODE, 40, { gpus: [{ thermalSlowdown: true }] });
    rig.feed(NODE, 90, { gpus: [{ thermalSlowdown: true }] });
    expect(rig.engine.view(NODE).thermal.state).toBe('critical');
    // Cool CPU but slowdown still on: down to hot, not below.
    rig.hold(NODE, 11, 40, { gpus: [{ thermalSlowdown: true }] });
    expect(rig.engine.view(NODE).thermal.state).toBe('hot');
  });

  it('uses GPU temperatures when the CPU cannot be read', () => {
    const rig = new Rig();
    rig.feed(NODE, null, { gpus: [{ tempC: 72 }] });
    expect(rig.engine.view(NODE).thermal.state).toBe('warm');
    expect(rig.engine.view(NODE).thermal.cpuTempC).toBeNull();
  });
});

describe('null readings', () => {
  it('never changes state: a hot node with no readings stays hot and quiet', () => {
    const rig = new Rig({ sustainMs: 600_000 });
    rig.feed(NODE, 78.2);
    expect(rig.hold(NODE, 60, null)).toEqual([]);
    expect(rig.engine.view(NODE).thermal.state).toBe('hot');
    expect(rig.engine.refusal(NODE)).toBe('node too hot: 78.2 C >= 75 C');
  });

  it('does not count as cool time: a null in the hold restarts it', () => {
    const rig = new Rig({ sustainMs: 600_000 });
    rig.feed(NODE, 78.2);
    rig.hold(NODE, 6, 60);
    rig.hold(NODE, 1, null);
    rig.hold(NODE, 10, 60);
    expect(rig.engine.view(NODE).thermal.state).toBe('hot');
    expect(kinds(rig.hold(NODE, 1, 60))).toEqual(['thermal.recovered']);
  });

  it('leaves a node with no reading at all in normal without events', () => {
    const rig = new Rig();
    expect(rig.hold(NODE, 5, null, { gpus: [{ tempC: null, thermalSlowdown: null }] })).toEqual([]);
    expect(rig.engine.view(NODE).thermal).toMatchObject({ state: 'normal', cpuTempC: null });
  });
});
