/**
 * Thermal zones (`sys/class/thermal/thermal_zone*`): every board has some. Discovery lists the
 * zones and their trip points once; the per-second read only opens each zone's `temp` file.
 */
import type { HostFs } from './host-fs.js';
import { milliCelsius, suffixDuplicates } from './sysfs-values.js';

export interface TripPoint {
  type: string;
  tempC: number;
}

export interface ThermalZone {
  /** The zone's `type` (for example `cpu-thermal`, `CPU-therm`), `.N` added when types repeat. */
  sensor: string;
  tempFile: string;
  trips: TripPoint[];
}

const CLASS_DIR = 'sys/class/thermal';

async function readTrips(fs: HostFs, dir: string): Promise<TripPoint[]> {
  const trips: TripPoint[] = [];
  for (const entry of await fs.list(dir)) {
    const m = /^trip_point_(\d+)_type$/.exec(entry);
    if (!m) continue;
    const type = await fs.readText(`${dir}/${entry}`);
    const tempC = milliCelsius(await fs.readText(`${dir}/trip_point_${m[1]}_temp`));
    if (type !== null && tempC !== null) trips.push({ type: type.trim().toLowerCase(), tempC });
  }
  return trips;
}

export async function discoverThermalZones(fs: HostFs): Promise<ThermalZone[]> {
  const found: Array<{ type: string; tempFile: string; trips: TripPoint[] }> = [];
  for (const entry of await fs.list(CLASS_DIR)) {
    if (!/^thermal_zone\d+$/.test(entry)) continue;
    const dir = `${CLASS_DIR}/${entry}`;
    if (!(await fs.isDir(dir))) continue;
    const type = (await fs.readText(`${dir}/type`))?.trim() || entry;
    found.push({ type, tempFile: `${dir}/temp`, trips: await readTrips(fs, dir) });
  }
  const sensors = suffixDuplicates(found.map((z) => z.type));
  return found.map((z, i) => ({ sensor: sensors[i] ?? z.type, tempFile: z.tempFile, trips: z.trips }));
}

/** Current temperatures; zones that cannot be read or hold a sentinel (-256 C) are left out. */
export async function readThermalZones(fs: HostFs, zones: ThermalZone[]): Promise<Array<{ sensor: string; tempC: number }>> {
  const temps = await Promise.all(zones.map(async (z) => milliCelsius(await fs.readText(z.tempFile))));
  const out: Array<{ sensor: string; tempC: number }> = [];
  zones.forEach((z, i) => {
    const tempC = temps[i];
    if (tempC !== null && tempC !== undefined) out.push({ sensor: z.sensor, tempC });
  });
  return out;
}
