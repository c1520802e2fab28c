import { describe, expect, it } from 'vitest';
import { Rig } from './rig.js';

describe('throttle amount', () => {
  it('leaves tasks alone on normal and warm nodes', () => {
    const rig = new Rig();
    expect(rig.engine.throttleFor('pi-4', 2, 4)).toBeNull();
    rig.feed('pi-4', 72);
    expect(rig.engine.throttleFor('pi-4', 2, 4)).toBeNull();
  });

  it('halves what each task could use when hot', () => {
    const rig = new Rig();
    rig.feed('pi-4', 78.2);
    expect(rig.engine.throttleFor('pi-4', 2, 4)).toEqual({ cpus: 1 });
    expect(rig.engine.throttleFor('pi-4', null, 4)).toEqual({ cpus: 2 }); // no limit: the whole node
    expect(rig.engine.throttleFor('pi-4', 8, 4)).toEqual({ cpus: 2 }); // a limit above the node counts as the node
    expect(rig.engine.throttleFor('pi-4', 0.333, 4)).toEqual({ cpus: 0.167 });
  });

  it('quarters it when critical, never below 0.01 cpus', () => {
    const rig = new Rig();
    rig.feed('pi-4', 90);
    expect(rig.engine.throttleFor('pi-4', null, 4)).toEqual({ cpus: 1 });
    expect(rig.engine.throttleFor('pi-4', 1, 4)).toEqual({ cpus: 0.25 });
    expect(rig.engine.throttleFor('pi-4', 0.02, 4)).toEqual({ cpus: 0.01 });
  });

  it('lifts the throttle when the node recovers', () => {
    const rig = new Rig();
    rig.feed('pi-4', 78.2);
    const events = rig.hold('pi-4', 11, 60);
    expect(events.filter((e) => e.type === 'throttle-changed')).toEqual([{ type: 'throttle-changed', nodeId: 'pi-4' }]);
    expect(rig.engine.throttleFor('pi-4', null, 4)).toBeNull();
  });
});
