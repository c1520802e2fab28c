/**
 * The Jetson integrated GPU: no NVML, so its load comes from the GPU device's `load` file
 * (0..1000, tenths of a percent) and its temperature from the profile's GPU thermal zone.
 */
import type { HostFs } from './host-fs.js';
import { parseInteger } from './sysfs-values.js';

const LOAD_FILES = [
  'sys/devices/gpu.0/load', // Nano, TX2, Xavier
  'sys/devices/platform/gpu.0/load', // Orin
  'sys/devices/platform/bus@0/17000000.gpu/load', // Orin, JetPack 6
  'sys/devices/platform/17000000.ga10b/load', // Orin, JetPack 5
];

export async function findJetsonLoadFile(fs: HostFs): Promise<string | null> {
  for (const file of LOAD_FILES) if ((await fs.readText(file)) !== null) return file;
  return null;
}

/** GPU busy percentage, or null when the load file is absent or garbled. */
export async function readJetsonLoad(fs: HostFs, file: string | null): Promise<number | null> {
  if (file === null) return null;
  const permille = parseInteger(await fs.readText(file));
  return permille === null ? null : permille / 10;
}
