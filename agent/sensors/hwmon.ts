/**
 * hwmon chips (`sys/class/hwmon/hwmon*`): coretemp, k10temp, amdgpu, nvme, cpu_thermal, rpi_volt,
 * ina3221 power monitors, Super I/O voltage chips. Discovery names every temperature and voltage
 * channel once; the per-second read opens only the `*_input` files found then.
 *
 * Sensor names are `chip:label` (`coretemp.0:Package id 0`, `ina3221:VDD_IN`): the chip is its
 * `name` (the hwmon directory when it has none), with `.N` added when several chips share a name;
 * the label is the channel's `*_label`, or the channel (`temp2`) when there is none or it repeats.
 */
import type { HostFs } from './host-fs.js';
import { milliCelsius, parseInteger, suffixDuplicates } from './sysfs-values.js';

export interface HwmonChannel {
  /** `chip:label` for temperatures, the same form for voltage rails. */
  name: string;
  inputFile: string;
}

export interface HwmonChip {
  dir: string;
  /** Contents of the `name` file; null when the chip has none. */
  chipName: string | null;
  temps: Array<HwmonChannel & { critFile: string }>;
  volts: HwmonChannel[];
}

const CLASS_DIR = 'sys/class/hwmon';

// INA3221 monitors list unconnected channels with labels such as `NC`, and in7 is the sum of the
// shunt voltages rather than a rail.
function isIgnoredRail(chipName: string | null, channel: string, label: string | null): boolean {
  if (chipName !== 'ina3221') return false;
  return channel === 'in7' || (label !== null && /(^|_)NC(_|$)/.test(label));
}

interface Channel {
  channel: string;
  /** The `*_label` as written; null when absent or empty. */
  label: string | null;
  /** `label`, or the channel when the label is missing or shared with another channel of the chip. */
  display: string;
}

async function channels(fs: HostFs, dir: string, files: string[], kind: 'temp' | 'in'): Promise<Channel[]> {
  const re = new RegExp(`^(${kind}\\d+)_input$`);
  const found = files.map((f) => re.exec(f)?.[1]).filter((c): c is string => c !== undefined);
  const labels = (await Promise.all(found.map((c) => fs.readText(`${dir}/${c}_label`)))).map((l) => l?.trim() || null);
  return found.map((channel, i) => {
    const label = labels[i] ?? null;
    const shared = label !== null && labels.filter((l) => l === label).length > 1;
    return { channel, label, display: label === null || shared ? channel : label };
  });
}

export async function discoverHwmon(fs: HostFs): Promise<HwmonChip[]> {
  const found: Array<{ dir: string; chipName: string | null; files: string[]; fallback: string }> = [];
  for (const entry of await fs.list(CLASS_DIR)) {
    if (!/^hwmon\d+$/.test(entry)) continue;
    const dir = `${CLASS_DIR}/${entry}`;
    if (!(await fs.isDir(dir))) continue;
    const chipName = (await fs.readText(`${dir}/name`))?.trim() || null;
    found.push({ dir, chipName, files: await fs.list(dir), fallback: entry });
  }
  const prefixes = suffixDuplicates(found.map((c) => c.chipName ?? c.fallback));
  return Promise.all(
    found.map(async (c, i) => {
      const prefix = prefixes[i] ?? c.fallback;
      const temps = (await channels(fs, c.dir, c.files, 'temp')).map(({ channel, display }) => ({
        name: `${prefix}:${display}`,
        inputFile: `${c.dir}/${channel}_input`,
        critFile: `${c.dir}/${channel}_crit`,
      }));
      const volts = (await channels(fs, c.dir, c.files, 'in'))
        .filter(({ channel, label }) => !isIgnoredRail(c.chipName, channel, label))
        .map(({ channel, display }) => ({ name: `${prefix}:${display}`, inputFile: `${c.dir}/${channel}_input` }));
      return { dir: c.dir, chipName: c.chipName, temps, volts };
    }),
  );
}

export async function readHwmonTemps(fs: HostFs, chips: HwmonChip[]): Promise<Array<{ sensor: string; tempC: number }>> {
  const channels = chips.flatMap((c) => c.temps);
  const values = await Promise.all(channels.map(async (t) => milliCelsius(await fs.readText(t.inputFile))));
  return channels.flatMap((t, i) => {
    const tempC = values[i];
    return tempC === null || tempC === undefined ? [] : [{ sensor: t.name, tempC }];
  });
}

/** Rail voltages in volts (`in*_input` is millivolts); unreadable rails are left out. */
export async function readHwmonVolts(fs: HostFs, chips: HwmonChip[]): Promise<Array<{ rail: string; volts: number }>> {
  const channels = chips.flatMap((c) => c.volts);
  const values = await Promise.all(channels.map(async (v) => parseInteger(await fs.readText(v.inputFile))));
  return channels.flatMap((v, i) => {
    const mv = values[i];
    return mv === null || mv === undefined ? [] : [{ rail: v.name, volts: mv / 1000 }];
  });
}

/** The `_crit` limit (TjMax on coretemp) of the named temperature channels, in degrees C. */
export async function readHwmonCrits(fs: HostFs, chips: HwmonChip[], wanted: (sensor: string) => boolean): Promise<number[]> {
  const channels = chips.flatMap((c) => c.temps).filter((t) => wanted(t.name));
  const values = await Promise.all(channels.map(async (t) => milliCelsius(await fs.readText(t.critFile))));
  return values.filter((v): v is number => v !== null);
}
