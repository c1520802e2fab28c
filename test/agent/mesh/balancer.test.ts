import { describe, expect, it } from 'vitest';
import { Balancer, FAIL_HOLD_MS, NORMAL_WEIGHT, WARM_WEIGHT, type Endpoint } from '../../../agent/mesh/balancer.js';

function ep(key: string, heat: Endpoint['heat'] = 'normal', power: Endpoint['power'] = 'stable'): Endpoint {
  return { key, host: '127.0.0.1', port: 1000, heat, power };
}

function picks(b: Balancer, n: number): string[] {
  return Array.from({ length: n }, () => b.order()[0]?.key ?? 'none');
}

const count = (list: string[], key: string): number => list.filter((k) => k === key).length;

describe('Balancer', () => {
  it('goes round-robin over equal endpoints', () => {
    const b = new Balancer(() => 0);
    b.setEndpoints([ep('a'), ep('b'), ep('c')]);
    const got = picks(b, 9);
    expect(new Set(got.slice(0, 3))).toEqual(new Set(['a', 'b', 'c']));
    for (const k of ['a', 'b', 'c']) expect(count(got, k)).toBe(3);
  });

  it('gives hot, critical and under-voltage boards no new connections while a cooler one exists, and tries them last', () => {
    const b = new Balancer(() => 0);
    b.setEndpoints([ep('hot', 'hot'), ep('cool'), ep('crit', 'critical'), ep('brown', 'normal', 'unstable')]);
    expect(picks(b, 10)).toEqual(Array(10).fill('cool'));
    expect(b.order().map((e) => e.key)).toEqual(['cool', 'hot', 'crit', 'brown']);
  });

  it('still answers when every board is hot', () => {
    const b = new Balancer(() => 0);
    b.setEndpoints([ep('h1', 'hot'), ep('h2', 'critical')]);
    expect(new Set(picks(b, 4))).toEqual(new Set(['h1', 'h2']));
  });

  it('gives a warm board a smaller share', () => {
    const b = new Balancer(() => 0);
    b.setEndpoints([ep('warm', 'warm'), ep('normal')]);
    const got = picks(b, (NORMAL_WEIGHT + WARM_WEIGHT) * 10);
    expect(count(got, 'warm')).toBe(WARM_WEIGHT * 10);
    expect(count(got, 'normal')).toBe(NORMAL_WEIGHT * 10);
  });

  it('skips a failed endpoint at once, tries it again after the hold, and uses it as a last resort', () => {
    let now = 0;
    const b = new Balancer(() => now);
    b.setEndpoints([ep('a'), ep('b')]);
    b.failed('a');
    expect(picks(b, 4)).toEqual(['b', 'b', 'b', 'b']);
    expect(b.order().map((e) => e.key)).toEqual(['b', 'a']);
    now += FAIL_HOLD_MS - 1;
    expect(picks(b, 2)).toEqual(['b', 'b']);
    now += 1;
    expect(picks(b, 4)).toContain('a');
  });

  it('sends nothing to a draining task, even as a last resort', () => {
    const b = new Balancer(() => 0);
    b.setEndpoints([ep('a'), ep('b')]);
    b.drain('a');
    expect(picks(b, 3)).toEqual(['b', 'b', 'b']);
    expect(b.order().map((e) => e.key)).toEqual(['b']);
  });

  it('forgets state of endpoints no longer listed', () => {
    const b = new Balancer(() => 0);
    b.setEndpoints([ep('a'), ep('b')]);
    b.drain('a');
    b.setEndpoints([ep('b')]);
    b.setEndpoints([ep('a'), ep('b')]);
    expect(new Set(picks(b, 2))).toEqual(new Set(['a', 'b']));
  });
});
