/**
 * First-order thermal model of a board: the temperature relaxes toward ambient + load x thermal
 * resistance with a time constant of tens of seconds, like a SoC under a heatsink. The update is
 * the exact solution for a load held constant since the last step, so the result does not depend
 * on how often it is sampled. Readings add seeded gaussian noise on top of the true temperature.
 */
import type { Prng } from './prng.js';

export interface ThermalParams {
  ambientC: number;
  /** Degrees above ambient per core of sustained load, at equilibrium. */
  resistanceCPerCore: number;
  timeConstantS: number;
  /** Standard deviation of the sensor noise. */
  noiseC: number;
}

export class ThermalModel {
  private tempC: number;
  private lastMs: number;

  constructor(
    private params: ThermalParams,
    nowMs: number,
    private readonly random: Prng,
    initialLoad = 0,
  ) {
    this.tempC = this.equilibriumC(initialLoad);
    this.lastMs = nowMs;
  }

  /** Where the temperature settles if `loadCores` is held. */
  equilibriumC(loadCores: number): number {
    return this.params.ambientC + loadCores * this.params.resistanceCPerCore;
  }

  /** Moves the true temperature to `nowMs`, with `loadCores` applied since the last step. */
  advance(nowMs: number, loadCores: number): number {
    const dtS = Math.max(0, nowMs - this.lastMs) / 1000;
    this.lastMs = Math.max(this.lastMs, nowMs);
    const target = this.equilibriumC(loadCores);
    this.tempC = target + (this.tempC - target) * Math.exp(-dtS / this.params.timeConstantS);
    return this.tempC;
  }

  get trueTempC(): number {
    return this.tempC;
  }

  /** A sensor reading: the true temperature plus noise, in milli-degree steps as sysfs gives. */
  read(offsetC = 0): number {
    return Math.round((this.tempC + offsetC + this.random.gaussian() * this.params.noiseC) * 1000) / 1000;
  }

  /** Changes cooling from now on (a scenario: fan dies, enclosure in the sun). */
  setParams(change: Partial<ThermalParams>): void {
    this.params = { ...this.params, ...change };
  }

  get current(): Readonly<ThermalParams> {
    return this.params;
  }
}
