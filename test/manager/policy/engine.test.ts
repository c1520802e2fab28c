import { describe, expect, it } from 'vitest';
import { PolicyEngine, type PolicyEvent } from '../../../manager/policy/index.js';
import { scheduleTasks } from '../../../manager/scheduler/index.js';
import { alert as alertSchema } from '../../../shared/payloads/alert.js';
import { node, tasks } from '../scheduler/fleet.js';
import { alerts, kinds, Rig, sample } from './rig.js';

describe('placement policy with the real scheduler', () => {
  it('refuses hot, under-voltage and quarantined nodes and prefers cool over warm', () => {
    const rig = new Rig();
    rig.feed('cool', 50);
    rig.feed('warm', 72);
    rig.feed('hot', 78.2);
    rig.feed('sagging', 50, { power: { underVoltageNow: true } });
    const fleet = ['cool', 'warm', 'hot', 'sagging'].map((id) => node(id));
    const policy = rig.engine.placementPolicy();

    expect(policy.refuse(node('hot'))).toBe('node too hot: 78.2 C >= 75 C');
    expect(policy.refuse(node('sagging'))).toBe('power unstable: under-voltage 0 s ago');
    expect(fleet.map((n) => policy.penalty(n))).toEqual([0, 1, 2, 0]);

    const one = scheduleTasks(tasks('web', 1), fleet, policy);
    expect([...one.placements.values()]).toEqual(['cool']);
    const two = scheduleTasks(tasks('web', 2), fleet, policy);
    expect([...two.placements.values()].sort()).toEqual(['cool', 'warm']);

    const onlyHot = scheduleTasks(tasks('web', 1), [node('hot')], policy);
    expect(onlyHot.pending.get('web.1')).toContain('node too hot: 78.2 C >= 75 C');
  });

  it('knows nothing against a node it has not heard of', () => {
    const rig = new Rig();
    expect(rig.engine.placementPolicy().refuse(node('new'))).toBeNull();
    expect(rig.engine.view('new')).toEqual({
      thermal: { state: 'normal', cpuTempC: null, limits: null },
      power: { state: 'stable', underVoltageNow: null, brownouts: 0 },
      quarantined: false,
      quarantinedUntil: null,
      refusal: null,
    });
  });

  it('gives the reason of the most pressing problem first', () => {
    const rig = new Rig();
    rig.feed('pi-4', 80, { power: { underVoltageNow: true } });
    expect(rig.engine.refusal('pi-4')).toBe('node too hot: 80.0 C >= 75 C');
    rig.hold('pi-4', 11, 50, { power: { underVoltageNow: false } });
    expect(rig.engine.refusal('pi-4')).toBe('power unstable: under-voltage 11 s ago');
  });
});

describe('thermal.no-target', () => {
  it('alerts once per task per episode', () => {
    const rig = new Rig();
    rig.feed('pi-4', 86);
    const first = rig.engine.noTarget('pi-4', 'db.1', 'task is pinned (x-kelvin.thermal.movable: false)');
    expect(kinds(first)).toEqual(['thermal.no-target']);
    expect(alerts(first)[0]?.message).toBe('task db.1 cannot leave hot node pi-4: task is pinned (x-kelvin.thermal.movable: false)');
    expect(alerts(first)[0]?.details).toEqual({ taskId: 'db.1', reason: 'task is pinned (x-kelvin.thermal.movable: false)', state: 'critical' });
    expect(rig.engine.noTarget('pi-4', 'db.1', 'task is pinned')).toEqual([]);
    expect(kinds(rig.engine.noTarget('pi-4', 'gpu.1', 'no cooler node satisfies node.labels.gpu==true'))).toEqual(['thermal.no-target']);

    // Recovery and a new episode: the same task is reported again.
    rig.hold('pi-4', 11, 50);
    expect(rig.engine.noTarget('pi-4', 'db.1', 'task is pinned')).toEqual([]);
    rig.feed('pi-4', 80);
    expect(kinds(rig.engine.noTarget('pi-4', 'db.1', 'task is pinned'))).toEqual(['thermal.no-target']);
  });
});

describe('alerts', () => {
  it('are valid alert payloads with unique ids, stamped with the clock', () => {
    const rig = new Rig({ sustainMs: 2000, powerStableMs: 2000 });
    const events: PolicyEvent[] = [];
    rig.engine.observeOnline('pi-4', 'boot-a');
    events.push(...rig.feed('pi-4', 78.2, { power: { underVoltageNow: true } }));
    events.push(...rig.hold('pi-4', 3, 90, { power: { underVoltageNow: false } }));
    events.push(...rig.engine.noTarget('pi-4', 'db.1', 'pinned'));
    events.push(...rig.hold('pi-4', 11, 40));
    events.push(...rig.engine.observeOffline('pi-4', false));
    events.push(...rig.engine.observeOnline('pi-4', 'boot-b'));
    const all = alerts(events);
    expect(all.map((a) => a.kind)).toEqual([
      'thermal.throttle',
      'power.undervoltage',
      'thermal.throttle',
      'thermal.failover',
      'power.recovered',
      'thermal.no-target',
      'thermal.recovered',
      'node.down',
      'node.reboot',
    ]);
    for (const a of all) expect(alertSchema.safeParse(a).success).toBe(true);
    expect(new Set(all.map((a) => a.id)).size).toBe(all.length);
    expect(all.at(-1)?.at).toBe(rig.t);
    expect(all.every((a) => a.nodeId === 'pi-4')).toBe(true);
  });

  it('say "its tasks" when no task counter is given', () => {
    const engine = new PolicyEngine({ now: () => 1000 });
    const events = engine.observeTelemetry('pi-4', sample(78.2), { warnC: 70, throttleC: 75, criticalC: 85, hysteresisC: 5 });
    expect(alerts(events)[0]?.message).toBe('pi-4 is hot: 78.2 C >= 75 C, throttling its tasks');
  });
});

describe('engine bookkeeping', () => {
  it('reports the earliest time tick() has work', () => {
    const rig = new Rig({ sustainMs: 30_000 });
    expect(rig.engine.nextDeadline()).toBeNull();
    rig.feed('a', 80);
    const hotAt = rig.t;
    rig.advance(5000);
    rig.feed('b', 80);
    expect(rig.engine.nextDeadline()).toBe(hotAt + 30_000);
  });

  it('forgets a removed node', () => {
    const rig = new Rig();
    rig.feed('pi-4', 80);
    rig.engine.removeNode('pi-4');
    expect(rig.engine.refusal('pi-4')).toBeNull();
    expect(rig.engine.nextDeadline()).toBeNull();
  });

  it('rejects bad options with one line naming the option', () => {
    expect(() => new PolicyEngine({ now: () => 0, holdMs: -1 })).toThrow(/^invalid policy option holdMs: /);
    expect(() => new PolicyEngine({ now: () => 0, quarantineBaseMs: 60_000, quarantineMaxMs: 1000 })).toThrow(
      'invalid policy option quarantineMaxMs: must be at least quarantineBaseMs',
    );
    expect(() => new PolicyEngine({ now: 5 as unknown as () => number })).toThrow('invalid policy option now: now must be a function');
  });
});
