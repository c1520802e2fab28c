import { describe, expect, it } from 'vitest';
import { alerts, kinds, Rig, summary } from './rig.js';

const NODE = 'pi-4';

function online(rig: Rig, bootId = 'boot-a'): Rig {
  rig.engine.observeOnline(NODE, bootId);
  rig.feed(NODE, 50);
  return rig;
}

describe('node down, reboot, brownout and blip', () => {
  it('alerts node.down once for an unclean drop and nothing for a clean shutdown', () => {
    const rig = online(new Rig());
    const down = rig.engine.observeOffline(NODE, false);
    expect(kinds(down)).toEqual(['node.down']);
    expect(alerts(down)[0]?.message).toBe('pi-4 is down: it vanished without a clean shutdown');
    expect(rig.engine.observeOffline(NODE, false)).toEqual([]); // the timeout after the will message
    online(rig);
    expect(rig.engine.observeOffline(NODE, true)).toEqual([]);
  });

  it('says nothing about nodes it never saw online (a manager restart reading retained offline status)', () => {
    const rig = new Rig();
    expect(rig.engine.observeOffline(NODE, false)).toEqual([]);
    expect(rig.engine.observeOnline(NODE, 'boot-a')).toEqual([]);
  });

  it('treats a return with the same boot id as a network blip: no reboot alert', () => {
    const rig = online(new Rig());
    rig.engine.observeOffline(NODE, false);
    rig.advance(20_000);
    expect(rig.engine.observeOnline(NODE, 'boot-a')).toEqual([]);
  });

  it('reports a new boot id after an unclean drop as node.reboot with the time down', () => {
    const rig = online(new Rig());
    rig.engine.observeOffline(NODE, false);
    rig.advance(42_000);
    const back = rig.engine.observeOnline(NODE, 'boot-b');
    expect(kinds(back)).toEqual(['node.reboot']);
    expect(alerts(back)[0]?.message).toBe('pi-4 rebooted after 42 s down');
    expect(alerts(back)[0]?.details).toEqual({ bootId: 'boot-b', previousBootId: 'boot-a', downForMs: 42_000 });
    expect(rig.engine.refusal(NODE)).toBeNull();
  });

  it('reports a reboot the manager never saw as a drop, when the boot id changes', () => {
    const rig = online(new Rig());
    expect(kinds(rig.engine.observeOnline(NODE, 'boot-b'))).toEqual(['node.reboot']);
  });

  it('says nothing after a clean shutdown and a new boot (a planned reboot)', () => {
    const rig = online(new Rig());
    rig.engine.observeOffline(NODE, true);
    expect(rig.engine.observeOnline(NODE, 'boot-b')).toEqual([]);
  });

  it('calls it a brownout when the last telemetry showed under-voltage that had occurred', () => {
    const rig = online(new Rig());
    rig.advance(1000);
    rig.feed(NODE, 50, { power: { underVoltageNow: false, underVoltageOccurred: true } });
    rig.engine.observeOffline(NODE, false);
    rig.advance(30_000);
    const back = rig.engine.observeOnline(NODE, 'boot-b');
    expect(summary(back)).toEqual(['alert:node.brownout', 'placement-changed']);
    expect(alerts(back)[0]?.message).toBe(
      'pi-4 rebooted after under-voltage after 30 s down: a brownout (1 brownout so far); no new work until power is clean for 5 min',
    );
    expect(rig.engine.view(NODE).power).toMatchObject({ state: 'unstable', brownouts: 1 });
    expect(rig.engine.refusal(NODE)).toBe('power unstable: under-voltage 30 s ago');
    // Clean for 5 min from the drop: stable again.
    rig.advance(270_000);
    expect(kinds(rig.feed(NODE, 50))).toEqual(['power.recovered']);
  });

  it('counts a brownout caught live only once, and judges by the telemetry before the drop', () => {
    const rig = online(new Rig());
    rig.advance(1000);
    rig.feed(NODE, 50, { power: { underVoltageNow: true, underVoltageOccurred: true } });
    rig.engine.observeOffline(NODE, false);
    // The new boot's first sample arrives before its online status: still judged by the old one.
    rig.advance(20_000);
    rig.feed(NODE, 50);
    expect(kinds(rig.engine.observeOnline(NODE, 'boot-b'))).toEqual(['node.brownout']);
    expect(rig.engine.view(NODE).power.brownouts).toBe(1);
  });
});

describe('flapping quarantine', () => {
  function flap(rig: Rig, gapMs = 60_000, bootId = 'boot-a'): ReturnType<Rig['engine']['observeOffline']> {
    const events = rig.engine.observeOffline(NODE, false);
    rig.advance(gapMs / 2);
    rig.engine.observeOnline(NODE, bootId);
    rig.advance(gapMs / 2);
    return events;
  }

  it('quarantines on the third drop in ten minutes, with a backoff that doubles per further drop', () => {
    const rig = online(new Rig());
    expect(kinds(flap(rig))).toEqual(['node.down']);
    expect(kinds(flap(rig))).toEqual(['node.down']);
    const third = rig.engine.observeOffline(NODE, false);
    expect(summary(third)).toEqual(['alert:node.down', 'alert:node.flapping', 'placement-changed']);
    expect(alerts(third)[1]?.message).toBe('pi-4 dropped 3 times in 10 min: quarantined for 60 s, no new work until then');
    const start = rig.t;
    rig.engine.observeOnline(NODE, 'boot-a');
    expect(rig.engine.view(NODE)).toMatchObject({ quarantined: true, quarantinedUntil: start + 60_000 });
    rig.advance(15_000);
    expect(rig.engine.refusal(NODE)).toBe('node flapping: quarantined for another 45 s');
    expect(rig.engine.nextDeadline()).toBe(start + 60_000);

    rig.advance(44_999);
    expect(rig.engine.tick()).toEqual([]);
    rig.advance(1);
    expect(rig.engine.tick()).toEqual([{ type: 'placement-changed', nodeId: NODE }]);
    expect(rig.engine.view(NODE)).toMatchObject({ quarantined: false, quarantinedUntil: null, refusal: null });
    expect(rig.engine.tick()).toEqual([]);

    // Each further drop while the drops keep coming doubles the quarantine: 2 min, 4 min.
    const fourth = rig.engine.observeOffline(NODE, false);
    expect(alerts(fourth)[1]?.details).toMatchObject({ recentDrops: 4, quarantineMs: 120_000 });
    rig.engine.observeOnline(NODE, 'boot-a');
    rig.advance(120_000);
    rig.engine.tick();
    const fifth = rig.engine.observeOffline(NODE, false);
    expect(alerts(fifth)[1]?.message).toBe('pi-4 dropped 5 times in 10 min: quarantined for 4 min, no new work until then');
  });

  it('extends a running quarantine without another flapping alert', () => {
    const rig = online(new Rig());
    flap(rig, 10_000);
    flap(rig, 10_000);
    flap(rig, 10_000); // quarantined for 60 s from here
    const again = rig.engine.observeOffline(NODE, false);
    expect(kinds(again)).toEqual(['node.down']);
    expect(alerts(again)[0]?.details).toEqual({ recentDrops: 4, quarantinedUntil: rig.t + 120_000 });
    expect(rig.engine.view(NODE).quarantinedUntil).toBe(rig.t + 120_000);
  });

  it('caps the backoff', () => {
    const rig = online(new Rig({ quarantineBaseMs: 60_000, quarantineMaxMs: 150_000 }));
    const lengths: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      const down = alerts(flap(rig, 1000)).find((a) => a.kind === 'node.down');
      lengths.push(down?.details.quarantinedUntil);
    }
    const spans = lengths.map((until, i) => (until === null ? null : (until as number) - (1_700_000_000_000 + 1000 * i)));
    expect(spans).toEqual([null, null, 60_000, 120_000, 150_000, 150_000]);
  });

  it('does not quarantine drops spread wider than the window, and starts the backoff over after a calm spell', () => {
    const rig = online(new Rig());
    for (let i = 0; i < 5; i++) expect(kinds(flap(rig, 301_000))).toEqual(['node.down']);
    expect(rig.engine.view(NODE).quarantined).toBe(false);

    const again = online(new Rig());
    flap(again, 1000);
    flap(again, 1000);
    flap(again, 1000);
    flap(again, 1000); // quarantined 2 min by now
    again.advance(11 * 60_000);
    again.engine.tick();
    flap(again, 1000);
    flap(again, 1000);
    const third = again.engine.observeOffline(NODE, false);
    expect(alerts(third)[1]?.details).toMatchObject({ quarantineMs: 60_000 });
  });
});
