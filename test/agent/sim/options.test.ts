import { describe, expect, it } from 'vitest';
import { splitByMix } from '../../../agent/sim/board-types.js';
import { parseMix, parseSimOptions } from '../../../agent/sim/options.js';
import { UsageError } from '../../../cli/errors.js';

const base = { broker: 'mqtt://127.0.0.1:1883', token: 'tok' };

describe('sim options', () => {
  it('takes the documented defaults', () => {
    const o = parseSimOptions(base, {});
    expect(o.nodes).toBe(10);
    expect(o.intervalMs).toBe(1000);
    expect(o.rampMs).toBe(1000);
    expect(o.mix).toEqual([
      ['pi4', 60],
      ['orin', 20],
      ['x86gpu', 20],
    ]);
    expect(o.params.heatShare).toBeCloseTo(0.1);
    expect(o.params.brownoutShare).toBeCloseTo(0.05);
    expect(o.params.brownoutDownMs).toBe(20_000);
  });

  it('reads the token from KELVIN_JOIN_TOKEN when no flag is given', () => {
    expect(parseSimOptions({ broker: base.broker }, { KELVIN_JOIN_TOKEN: 'from-env' }).token).toBe('from-env');
  });

  it.each([
    [{ mix: 'pi4:60,orin:30' }, '--mix: percentages add up to 90, not 100'],
    [{ mix: 'pi4:50,rpi9:50' }, "--mix: unknown board type 'rpi9' (known: pi4, orin, x86gpu)"],
    [{ mix: 'pi4=100' }, "--mix: 'pi4=100' is not TYPE:PERCENT (e.g. pi4:60)"],
    [{ nodes: '0' }, "--nodes: '0' is not a whole number from 1 to 10000"],
    [{ nodes: '2.5' }, "--nodes: '2.5' is not a whole number from 1 to 10000"],
    [{ interval: 'soon' }, "--interval: 'soon' is not a duration (e.g. 500ms, 10s, 1m)"],
    [{ scenario: 'meteor' }, "--scenario: 'meteor' is not one of steady, heat-wave, brownout-storm, flapping"],
    [{ prefix: 'Sim_1' }, "--prefix: 'Sim_1' must be 1 to 40 lower-case letters, digits and '-'"],
    [{ broker: 'http://x' }, "--broker: 'http://x' must start with mqtt:// or mqtts://"],
    [{ heatShare: '120' }, "--heat-share: '120' is not a number from 0 to 100"],
  ])('rejects %j with one message naming the flag', (flags, message) => {
    expect(() => parseSimOptions({ ...base, ...flags }, {})).toThrow(new UsageError(message));
  });

  it('requires a broker and a token', () => {
    expect(() => parseSimOptions({ token: 't' }, {})).toThrow(/^--broker: required/);
    expect(() => parseSimOptions({ broker: base.broker }, {})).toThrow(/^--token: required/);
  });

  it('splits boards by the mix, exactly n in all', () => {
    const mix = parseMix('pi4:60,orin:20,x86gpu:20');
    expect(splitByMix(20, mix)).toEqual([
      ['pi4', 12],
      ['orin', 4],
      ['x86gpu', 4],
    ]);
    const seven = splitByMix(7, mix);
    expect(seven.reduce((s, [, n]) => s + n, 0)).toBe(7);
    expect(seven).toEqual([
      ['pi4', 4],
      ['orin', 2],
      ['x86gpu', 1],
    ]);
  });
});
