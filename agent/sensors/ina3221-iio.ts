/**
 * Jetson power rails on older JetPack releases, where the INA3221 monitors are iio devices
 * (`sys/bus/i2c/drivers/ina3221x/6-0040/iio:device0/` with `rail_name_N` and `in_voltageN_input`
 * in millivolts) instead of hwmon chips.
 */
import type { HostFs } from './host-fs.js';
import { parseInteger } from './sysfs-values.js';

export interface IioRail {
  rail: string;
  inputFile: string;
}

const DRIVER_DIR = 'sys/bus/i2c/drivers/ina3221x';

export async function discoverIioRails(fs: HostFs): Promise<IioRail[]> {
  const rails: IioRail[] = [];
  for (const device of await fs.list(DRIVER_DIR)) {
    if (!/^\d+-[0-9a-f]{4}$/.test(device)) continue;
    for (const iio of await fs.list(`${DRIVER_DIR}/${device}`)) {
      if (!iio.startsWith('iio:device')) continue;
      const dir = `${DRIVER_DIR}/${device}/${iio}`;
      for (const entry of await fs.list(dir)) {
        const m = /^rail_name_(\d+)$/.exec(entry);
        if (!m) continue;
        const name = (await fs.readText(`${dir}/${entry}`))?.trim();
        if (name) rails.push({ rail: `ina3221:${name}`, inputFile: `${dir}/in_voltage${m[1]}_input` });
      }
    }
  }
  return rails;
}

export async function readIioRails(fs: HostFs, rails: IioRail[]): Promise<Array<{ rail: string; volts: number }>> {
  const values = await Promise.all(rails.map(async (r) => parseInteger(await fs.readText(r.inputFile))));
  return rails.flatMap((r, i) => {
    const mv = values[i];
    return mv === null || mv === undefined ? [] : [{ rail: r.rail, volts: mv / 1000 }];
  });
}
