import { afterEach, describe, expect, it, vi } from 'vitest';
import { TickWheel } from '../../../agent/sim/tick-wheel.js';

describe('TickWheel', () => {
  afterEach(() => vi.useRealTimers());

  it('serves every member once per interval, spread evenly over the interval', () => {
    vi.useFakeTimers();
    const served: Array<{ item: number; at: number }> = [];
    const wheel = new TickWheel<number>(1000, 10, (item) => served.push({ item, at: Date.now() }));
    const start = Date.now();
    for (let i = 0; i < 20; i++) wheel.add(i);
    wheel.start();
    vi.advanceTimersByTime(1000);
    expect(served.map((s) => s.item).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Two members per 100 ms slot, never all at once.
    const perSlot = new Map<number, number>();
    for (const s of served) perSlot.set(s.at - start, (perSlot.get(s.at - start) ?? 0) + 1);
    expect([...perSlot.values()].every((n) => n === 2)).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(served).toHaveLength(40);
    wheel.stop();
    vi.advanceTimersByTime(5000);
    expect(served).toHaveLength(40);
  });

  it('catches up when the event loop held its timer back, so no board loses a period', () => {
    vi.useFakeTimers();
    let served = 0;
    const wheel = new TickWheel<number>(1000, 10, () => served++);
    for (let i = 0; i < 50; i++) wheel.add(i);
    wheel.start();
    // The loop is blocked for 2.5 s: the timer runs late, then every due slot is served.
    vi.setSystemTime(Date.now() + 2500);
    vi.advanceTimersByTime(100);
    expect(served).toBe(50 * 2 + 5 * 6);
    wheel.stop();
  });
});
