import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spec } from '../orchestrator/harness.js';
import { Rig } from './rig.js';

let rig: Rig;
beforeEach(async () => {
  rig = await Rig.start({ powerStableMs: 30_000 });
});
afterEach(async () => {
  await rig.close();
});

const kinds = (): string[] => rig.alerts().map((a) => a.kind);

describe('power and liveness policy in a running manager', () => {
  it('refuses an under-voltage node new work, with the reason on the pending task, until power is clean for the stable time', async () => {
    const pi = await rig.board('pi-1');
    await pi.sample(50, { underVoltageNow: true, inputVolts: 4.62 });
    expect(rig.alerts('power.undervoltage').map((a) => a.message)).toEqual(['pi-1 is under-voltage (4.62 V): no new work until power is clean for 30 s']);

    const { cluster } = rig.manager;
    cluster.createService(spec('web'));
    const pending = await rig.until(() => cluster.listTasks({ service: 'web' }).find((t) => t.message !== ''), 'pending reason');
    expect(pending).toMatchObject({ state: 'pending', message: expect.stringMatching(/^no suitable node \(power unstable: under-voltage \d+ s ago\)$/) });

    await pi.hold(25, 50);
    expect(cluster.getTask(pending.id).state).toBe('pending');
    await pi.hold(6, 50);
    await rig.until(() => cluster.getTask(pending.id).state === 'assigned', 'placed once power is stable');
    expect(rig.alerts('power.recovered').map((a) => a.message)).toEqual(['pi-1 power is stable again: no under-voltage for 30 s']);
    expect(cluster.events().map((e) => e.kind).filter((k) => k.startsWith('power.'))).toEqual(['power.undervoltage', 'power.recovered']);
  });

  it('calls a drop after under-voltage that comes back with a new boot id a brownout; the same boot id is no reboot', async () => {
    const pi = await rig.board('pi-1');
    await pi.sample(50, { underVoltageNow: true });
    await pi.vanish();
    await pi.connect('boot-pi-1-second');
    const brownout = await rig.until(() => rig.alerts('node.brownout')[0], 'brownout alert');
    expect(brownout.message).toMatch(/^pi-1 rebooted after under-voltage after \d+ s down: a brownout \(1 brownout so far\)/);
    expect(rig.manager.policy.view('pi-1').power).toMatchObject({ state: 'unstable', brownouts: 1 });

    const other = await rig.board('pi-2');
    await other.sample(48);
    await other.vanish();
    await other.connect();
    await other.sample(48);
    expect(rig.alerts().filter((a) => a.nodeId === 'pi-2').map((a) => a.kind)).toEqual(['node.down']);
    expect(kinds()).not.toContain('node.reboot');
  });

  it('quarantines a node that drops three times in the flap window', async () => {
    const pi = await rig.board('pi-3');
    for (let i = 0; i < 3; i++) {
      await pi.sample(50);
      await pi.vanish();
      rig.clock.advance(5000);
      await pi.connect();
    }
    const [flapping, ...more] = rig.alerts('node.flapping');
    expect(more).toEqual([]);
    expect(flapping?.message).toMatch(/^pi-3 dropped 3 times in 10 min: quarantined for 60 s, no new work until then$/);
    expect(rig.manager.policy.view('pi-3')).toMatchObject({ quarantined: true, refusal: expect.stringMatching(/^node flapping: quarantined for another/) });
    rig.manager.cluster.createService(spec('web'));
    const pending = await rig.until(() => rig.manager.cluster.listTasks({ service: 'web' }).find((t) => t.message !== ''), 'pending reason');
    expect(pending.message).toMatch(/^no suitable node \(node flapping: quarantined for another \d+ s\)$/);
    expect(rig.manager.cluster.events().map((e) => e.kind)).toContain('node.flapping');
  });
});
