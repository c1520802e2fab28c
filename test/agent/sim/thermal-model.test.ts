import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../agent/sim/prng.js';
import { ThermalModel } from '../../../agent/sim/thermal-model.js';

const params = { ambientC: 25, resistanceCPerCore: 10, timeConstantS: 30, noiseC: 0 };

describe('ThermalModel', () => {
  it('rises toward ambient + load x resistance with the given time constant', () => {
    let now = 0;
    const model = new ThermalModel(params, now, createPrng(1));
    expect(model.trueTempC).toBe(25);
    now += 30_000; // one time constant: 63.2 % of the way from 25 C to 45 C
    expect(model.advance(now, 2)).toBeCloseTo(25 + 20 * (1 - Math.exp(-1)), 6);
    now += 120_000; // five time constants in all: within 1 % of the equilibrium
    expect(model.advance(now, 2)).toBeGreaterThan(45 - 0.2);
    expect(model.advance(now, 2)).toBeLessThanOrEqual(45);
  });

  it('gives the same temperature however often it is sampled', () => {
    const coarse = new ThermalModel(params, 0, createPrng(1));
    const fine = new ThermalModel(params, 0, createPrng(1));
    coarse.advance(20_000, 3);
    for (let t = 1000; t <= 20_000; t += 1000) fine.advance(t, 3);
    expect(fine.trueTempC).toBeCloseTo(coarse.trueTempC, 9);
  });

  it('cools back toward ambient when the load goes', () => {
    const model = new ThermalModel(params, 0, createPrng(1), 4);
    expect(model.trueTempC).toBe(65);
    const after30s = model.advance(30_000, 0);
    expect(after30s).toBeCloseTo(25 + 40 * Math.exp(-1), 6);
    expect(model.advance(300_000, 0)).toBeLessThan(25.01);
  });

  it('follows a change of cooling: a higher resistance heats the board under the same load', () => {
    const model = new ThermalModel(params, 0, createPrng(1), 2);
    model.setParams({ resistanceCPerCore: 25, ambientC: 35 });
    expect(model.advance(600_000, 2)).toBeCloseTo(85, 3);
  });

  it('adds noise that repeats with the seed and differs with another seed', () => {
    const noisy = { ...params, noiseC: 0.5 };
    const readings = (seed: number): number[] => {
      const model = new ThermalModel(noisy, 0, createPrng(seed), 1);
      return Array.from({ length: 20 }, () => model.read());
    };
    const a = readings(42);
    expect(readings(42)).toEqual(a);
    expect(readings(43)).not.toEqual(a);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(mean).toBeGreaterThan(34.5);
    expect(mean).toBeLessThan(35.5);
    expect(new Set(a).size).toBeGreaterThan(15);
  });
});
