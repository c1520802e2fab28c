import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalProtection, localCapCpus } from '../../agent/local-protection.js';
import type { ThermalLimits } from '../../shared/payloads/facts.js';

// The Pi 4 profile: critical at 76 C, cool again below 71 C.
const LIMITS: ThermalLimits = { warnC: 65, throttleC: 70, criticalC: 76, hysteresisC: 5 };
const HOLD_MS = 2500;

function gpu(tempC: number | null) {
  return { index: 0, tempC, utilPct: null, memUsedBytes: null, thermalSlowdown: null };
}

function setup(cores = 4) {
  const applied: (number | null)[] = [];
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const protection = new LocalProtection({
    board: () => ({ thermalLimits: LIMITS, cpu: { cores } }),
    apply: async (cpus) => void applied.push(cpus),
    holdMs: HOLD_MS,
    logger,
    now: Date.now,
  });
  const read = (cpuTempC: number | null, gpuTempC?: number | null): void =>
    protection.observe({ cpuTempC, gpus: gpuTempC === undefined ? [] : [gpu(gpuTempC)] });
  /** One reading every 500 ms, as `--interval 500ms` takes them. */
  const readEvery500 = (temps: (number | null)[]): void => {
    for (const t of temps) {
      vi.advanceTimersByTime(500);
      read(t);
    }
  };
  const messages = () => lines.map((l) => String(l.msg));
  return { protection, applied, read, readEvery500, messages };
}

describe('LocalProtection', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('caps every task at a quarter of the cores when critical and the manager is unreachable, once', () => {
    const { protection, applied, read, messages } = setup(4);
    read(60);
    expect(applied).toEqual([]);
    read(77);
    read(80);
    read(79);
    expect(applied).toEqual([1]);
    expect(protection.engaged).toBe(true);
    expect(messages().filter((m) => m.includes('capping'))).toHaveLength(1);
  });

  it('leaves throttling to the manager while the session is connected', () => {
    const { protection, applied, read } = setup(4);
    protection.setManagerReachable(true);
    read(85);
    expect(applied).toEqual([]);
    protection.setManagerReachable(false);
    expect(applied).toEqual([1]);
    protection.setManagerReachable(true);
    expect(applied).toEqual([1, null]);
    expect(protection.engaged).toBe(false);
  });

  it('lifts the cap only after readings below critical minus hysteresis held for the hold time', () => {
    const { applied, read, readEvery500, messages } = setup(4);
    read(80);
    // Under the limit but inside the hysteresis band: still critical.
    readEvery500([74, 73, 72, 71, 74, 72, 73]);
    expect(applied).toEqual([1]);
    readEvery500([70, 69, 68, 68, 68]);
    expect(applied).toEqual([1]);
    readEvery500([68]);
    expect(applied).toEqual([1, null]);
    expect(messages().filter((m) => m.includes('lifting'))).toHaveLength(1);
  });

  it('does not flap on noise around the limit, and restarts the hold on a warm or unreadable reading', () => {
    const { applied, read, readEvery500 } = setup(4);
    read(76.5);
    readEvery500([74, 76.2, 75, 77, 74.9, 76]);
    expect(applied).toEqual([1]);
    readEvery500([65, 65, 65, 65, 72, 65, 65, 65, 65, 65]);
    expect(applied).toEqual([1]);
    readEvery500([null, 65, 65, 65, 65, 65]);
    expect(applied).toEqual([1]);
    readEvery500([65]);
    expect(applied).toEqual([1, null]);
  });

  it('counts a GPU temperature like the CPU one', () => {
    const { applied, read } = setup(8);
    read(50, 90);
    expect(applied).toEqual([2]);
    for (let i = 0; i < 6; i++) {
      vi.advanceTimersByTime(500);
      read(50, 74);
    }
    // The CPU is cool, but the GPU is still inside the hysteresis band.
    expect(applied).toEqual([2]);
    for (let i = 0; i < 6; i++) {
      vi.advanceTimersByTime(500);
      read(50, 60);
    }
    expect(applied).toEqual([2, null]);
  });

  it('stays engaged through a reconnect that fails, and keeps the cap for tasks while the board is hot', () => {
    const { protection, applied, read } = setup(2);
    protection.setManagerReachable(true);
    read(90);
    protection.setManagerReachable(false);
    protection.setManagerReachable(false);
    read(90);
    expect(applied).toEqual([0.5]);
  });
});

describe('localCapCpus', () => {
  it('is the manager critical share of the whole node, to a thousandth, at least 0.01', () => {
    expect(localCapCpus(4)).toBe(1);
    expect(localCapCpus(6)).toBe(1.5);
    expect(localCapCpus(3)).toBe(0.75);
    expect(localCapCpus(1)).toBe(0.25);
    expect(localCapCpus(0)).toBe(0.25);
  });
});
