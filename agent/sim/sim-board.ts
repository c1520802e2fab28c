/**
 * One simulated board behind the agent's BoardSensing interface: facts shaped like the real board
 * family, and readings computed from its thermal model, whose load is the board's own idle load
 * plus the simulated tasks running on it. The board outlives power cycles (it keeps its heat and
 * cools while off); each power-on gives it a new boot id.
 */
import type { ThermalLimits } from '../../shared/payloads/facts.js';
import type { GpuReading, PowerReading } from '../../shared/payloads/telemetry.js';
import type { BoardFacts, BoardSensing, Reading } from '../sensing.js';
import type { BoardType } from './board-types.js';
import { prngUuid, type Prng } from './prng.js';
import { SimRuntime } from './sim-runtime.js';
import { ThermalModel, type ThermalParams } from './thermal-model.js';

const GPU_MEMORY_PER_TASK_FRACTION = 0.5;

export interface SimBoardOptions {
  nodeId: string;
  type: BoardType;
  limits: ThermalLimits;
  random: Prng;
  now: () => number;
}

export class SimBoard implements BoardSensing {
  readonly runtime: SimRuntime;
  readonly type: BoardType;
  private readonly cpu: ThermalModel;
  private readonly gpu: ThermalModel | null;
  private readonly now: () => number;
  private poweredOn = false;
  private underVoltage = false;
  private underVoltageSinceBoot = false;
  bootId = '';

  constructor(private readonly options: SimBoardOptions) {
    this.type = options.type;
    this.now = options.now;
    this.runtime = new SimRuntime(options.now);
    this.cpu = new ThermalModel(options.type.cpuThermal, options.now(), options.random, options.type.idleLoadCores);
    this.gpu = options.type.gpuThermal ? new ThermalModel(options.type.gpuThermal, options.now(), options.random) : null;
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  get limits(): ThermalLimits {
    return this.options.limits;
  }

  /** Boots: a new boot id, clear power flags (the firmware forgets them across a reboot). */
  powerOn(): void {
    this.settle();
    this.poweredOn = true;
    this.underVoltage = false;
    this.underVoltageSinceBoot = false;
    this.bootId = prngUuid(this.options.random);
  }

  /** Power gone: tasks end with it, and from now on the board cools toward ambient. */
  powerOff(): void {
    this.settle();
    this.poweredOn = false;
    this.runtime.powerOff();
  }

  get isOn(): boolean {
    return this.poweredOn;
  }

  /** The supply sags below spec (brownout): the flag shows in readings until the next boot. */
  setUnderVoltage(on: boolean): void {
    this.underVoltage = on;
    if (on) this.underVoltageSinceBoot = true;
  }

  /** Cooling changes from now on (a heat wave, a dead fan); the heat follows with the time constant. */
  changeCooling(change: Partial<ThermalParams>): void {
    this.settle();
    this.cpu.setParams(change);
    this.gpu?.setParams({ ...(change.ambientC === undefined ? {} : { ambientC: change.ambientC }) });
  }

  get cooling(): Readonly<ThermalParams> {
    return this.cpu.current;
  }

  /** Cores in use now: idle load plus tasks, never more than the board has. */
  cpuLoad(): number {
    if (!this.poweredOn) return 0;
    return Math.min(this.type.cores, this.type.idleLoadCores + this.runtime.cpuLoad());
  }

  /** The true CPU temperature now (no sensor noise): what the status line reports. */
  cpuTempC(): number {
    this.settle();
    return this.cpu.trueTempC;
  }

  readFacts(): Promise<BoardFacts> {
    const t = this.type;
    return Promise.resolve({
      hostname: this.options.nodeId,
      arch: t.arch,
      os: 'linux',
      bootId: this.bootId,
      board: { profile: t.profileId, model: t.model },
      cpu: { model: t.cpuModel, cores: t.cores },
      memoryBytes: t.memoryBytes,
      gpus: t.gpus,
      labels: t.labels,
      thermalLimits: this.options.limits,
    });
  }

  sample(): Promise<Reading> {
    this.settle();
    const cpuC = this.cpu.read();
    const temps = this.type.cpuSensors.map((sensor, i) => ({ sensor, tempC: i === 0 ? cpuC : this.cpu.read() }));
    const gpus = this.gpuReadings(temps);
    const load = this.cpuLoad();
    return Promise.resolve({
      ts: this.now(),
      cpuTempC: Math.max(...temps.filter((x) => this.type.cpuSensors.includes(x.sensor)).map((x) => x.tempC)),
      temps,
      voltages: this.type.name === 'orin' ? [{ rail: 'ina3221.0:VIN_SYS_5V0', volts: this.underVoltage ? 4.62 : 4.984 }] : [],
      power: this.power(cpuC),
      gpus,
      gpuStale: false,
      load1: Math.round(load * 100) / 100,
      memUsedBytes: Math.round(this.type.memoryBytes * (0.15 + (0.5 * load) / this.type.cores)),
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Brings both thermal models up to now with the load held since the last step. */
  private settle(): void {
    const now = this.now();
    this.cpu.advance(now, this.cpuLoad());
    this.gpu?.advance(now, this.poweredOn ? Math.min(this.type.gpus.length, this.runtime.gpuLoad()) : 0);
  }

  private gpuReadings(temps: Array<{ sensor: string; tempC: number }>): GpuReading[] {
    if (this.type.gpus.length === 0) return [];
    const busy = Math.min(1, this.runtime.gpuLoad() / this.type.gpus.length);
    const utilPct = Math.round(busy * 1000) / 10;
    if (!this.gpu) {
      // Jetson: the integrated GPU sits on the SoC, a little cooler than the CPU cluster.
      const tempC = this.cpu.read(-2);
      temps.push({ sensor: 'gpu-thermal', tempC });
      return [{ index: 0, tempC, utilPct, memUsedBytes: null, thermalSlowdown: null }];
    }
    const tempC = this.gpu.read();
    const memoryBytes = this.type.gpus[0]?.memoryBytes ?? 0;
    return [{ index: 0, tempC, utilPct, memUsedBytes: Math.round(memoryBytes * busy * GPU_MEMORY_PER_TASK_FRACTION), thermalSlowdown: tempC >= this.options.limits.criticalC }];
  }

  /** Pi firmware flags (throttled word) where the family has them; null elsewhere unless browning out. */
  private power(cpuC: number): PowerReading {
    if (!this.type.firmwareFlags) {
      return { underVoltageNow: this.underVoltage ? true : null, underVoltageOccurred: this.underVoltageSinceBoot ? true : null, throttledNow: null, freqCappedNow: null, softTempLimitNow: null, inputVolts: null };
    }
    // The Pi firmware caps the clock from 80 C and throttles under voltage.
    const hot = cpuC >= 80;
    return {
      underVoltageNow: this.underVoltage,
      underVoltageOccurred: this.underVoltageSinceBoot,
      throttledNow: hot || this.underVoltage,
      freqCappedNow: hot,
      softTempLimitNow: false,
      inputVolts: null,
    };
  }
}
