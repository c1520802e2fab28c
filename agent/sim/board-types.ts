/**
 * The simulated board families: what each reports as facts (shaped like the real fixture boards
 * in test/fixtures/boards) and how it heats. Thermal limits come from the matching hardware
 * profile, so the manager judges a simulated Pi by the same numbers as a real one.
 */
import { loadHwProfiles } from '../../hw-profiles/loader.js';
import type { GpuFact, ThermalLimits } from '../../shared/payloads/facts.js';
import type { ThermalParams } from './thermal-model.js';

export const BOARD_TYPE_NAMES = ['pi4', 'orin', 'x86gpu'] as const;
export type BoardTypeName = (typeof BOARD_TYPE_NAMES)[number];

export interface BoardType {
  name: BoardTypeName;
  profileId: string;
  model: string;
  arch: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  gpus: GpuFact[];
  labels: Record<string, string>;
  /** CPU temperature sensors as the real board names them; the first is the CPU temperature. */
  cpuSensors: string[];
  /** The Pi firmware reports throttle and under-voltage flags; other boards report them as null. */
  firmwareFlags: boolean;
  /** The OS and agent's own load, in cores, while the board is up. */
  idleLoadCores: number;
  cpuThermal: ThermalParams;
  /** Discrete GPU with its own cooler; null when the GPU shares the SoC's heat (Jetson) or is absent. */
  gpuThermal: ThermalParams | null;
}

const GiB = 1024 ** 3;

export const BOARD_TYPES: Record<BoardTypeName, BoardType> = {
  pi4: {
    name: 'pi4',
    profileId: 'rpi-4',
    model: 'Raspberry Pi 4 Model B Rev 1.4',
    arch: 'aarch64',
    cpuModel: 'Cortex-A72',
    cores: 4,
    memoryBytes: 4 * GiB,
    gpus: [],
    labels: { board: 'rpi-4', gpu: 'false', 'gpu.count': '0' },
    cpuSensors: ['cpu-thermal', 'cpu_thermal:temp1'],
    firmwareFlags: true,
    idleLoadCores: 0.5,
    // Passive heatsink in an enclosure: idles near 35 C, four busy cores reach the 70 C throttle point.
    cpuThermal: { ambientC: 30, resistanceCPerCore: 10, timeConstantS: 30, noiseC: 0.3 },
    gpuThermal: null,
  },
  orin: {
    name: 'orin',
    profileId: 'jetson-orin',
    model: 'NVIDIA Jetson AGX Orin Developer Kit',
    arch: 'aarch64',
    cpuModel: 'Cortex-A78AE',
    cores: 12,
    memoryBytes: 32 * GiB,
    gpus: [{ vendor: 'nvidia', integrated: true, model: 'NVIDIA Orin (Ampere)', memoryBytes: null, uuid: null }],
    labels: { board: 'jetson-orin', gpu: 'true', 'gpu.count': '1', 'gpu.vendor': 'nvidia', 'gpu.integrated': 'true' },
    cpuSensors: ['cpu-thermal', 'tj-thermal'],
    firmwareFlags: false,
    idleLoadCores: 0.6,
    cpuThermal: { ambientC: 30, resistanceCPerCore: 5, timeConstantS: 40, noiseC: 0.2 },
    gpuThermal: null,
  },
  x86gpu: {
    name: 'x86gpu',
    profileId: 'x86-intel',
    model: 'ASUS System Product Name',
    arch: 'x86_64',
    cpuModel: 'Intel(R) Core(TM) i7-7700K CPU @ 4.20GHz',
    cores: 8,
    memoryBytes: 64 * GiB,
    gpus: [{ vendor: 'nvidia', integrated: false, model: 'NVIDIA RTX A4000', memoryBytes: 16 * GiB, uuid: null }],
    labels: { board: 'x86-intel', gpu: 'true', 'gpu.count': '1', 'gpu.vendor': 'nvidia', 'gpu.integrated': 'false' },
    cpuSensors: ['x86_pkg_temp', 'coretemp:Package id 0'],
    firmwareFlags: false,
    idleLoadCores: 0.5,
    cpuThermal: { ambientC: 25, resistanceCPerCore: 7, timeConstantS: 20, noiseC: 0.5 },
    // One fully used GPU settles near 80 C.
    gpuThermal: { ambientC: 25, resistanceCPerCore: 55, timeConstantS: 25, noiseC: 0.5 },
  },
};

/** Thermal limits of each family's hardware profile (built-in profiles, loaded once). */
export function loadThermalLimits(): Record<BoardTypeName, ThermalLimits> {
  const profiles = new Map(loadHwProfiles(null).map((p) => [p.id, p.thermalLimits]));
  const out = {} as Record<BoardTypeName, ThermalLimits>;
  for (const name of BOARD_TYPE_NAMES) {
    const limits = profiles.get(BOARD_TYPES[name].profileId);
    if (!limits) throw new Error(`built-in hardware profile ${BOARD_TYPES[name].profileId} is missing`);
    out[name] = limits;
  }
  return out;
}

/**
 * Splits `n` boards by percentage (largest remainder, ties to the earlier family), e.g. 20 boards
 * at pi4:60,orin:20,x86gpu:20 -> 12, 4, 4.
 */
export function splitByMix(n: number, mix: Array<[BoardTypeName, number]>): Array<[BoardTypeName, number]> {
  const exact = mix.map(([name, pct]) => [name, (n * pct) / 100] as const);
  const counts = exact.map(([name, x]) => [name, Math.floor(x)] as [BoardTypeName, number]);
  let left = n - counts.reduce((sum, [, c]) => sum + c, 0);
  const byRemainder = exact.map(([, x], i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left <= 0) break;
    (counts[i] as [BoardTypeName, number])[1]++;
    left--;
  }
  return counts;
}
