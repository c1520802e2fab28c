/**
 * Temperature sensors fitted to a board to read its enclosure or room (ambient), beside the CPU's:
 * - 1-wire thermometers (DS18B20 and its family) under `sys/bus/w1/devices/<family>-<serial>/`:
 *   `temperature` in millidegrees (w1_therm, Linux 5.x+), else the older `w1_slave`, whose second
 *   line ends `t=<millidegrees>` and whose first line ends `YES` when the CRC matched;
 * - IIO environmental sensors (BME280, BMP280, SHT21, HDC100x, ...) under
 *   `sys/bus/iio/devices/iio:deviceN/`: `in_temp_input` in millidegrees and
 *   `in_humidityrelative_input` in milli-percent, or `_raw` with `_offset` and `_scale`
 *   ((raw + offset) * scale, in those units), as the IIO ABI defines them.
 */
import { MAX_AMBIENT_SENSORS, type AmbientReading } from '../../shared/payloads/telemetry.js';
import type { HostFs } from './host-fs.js';
import { parseDecimal, parseInteger } from './sysfs-values.js';

/** 1-wire families that are thermometers: DS18S20, DS1822, DS18B20, DS1825, DS28EA00. */
const W1_THERMOMETER = /^(10|22|28|3b|42)-[0-9a-f]{12}$/i;
const W1_DIR = 'sys/bus/w1/devices';
const IIO_DIR = 'sys/bus/iio/devices';
/** A DS18B20's power-on reset value: what it reads before its first conversion, never a real enclosure. */
const DS18B20_RESET_MILLI_C = 85_000;
/** Readings outside this range are wiring faults or a misread scale, not air temperatures. */
const PLAUSIBLE_C = { min: -55, max: 125 };

export interface AmbientSensor {
  /** `w1:<device>` or `iio:<name>` (`iio:<device>` when the driver gives no name). */
  sensor: string;
  read(fs: HostFs): Promise<{ tempC: number; humidityPct: number | null } | null>;
}

export async function discoverAmbientSensors(fs: HostFs): Promise<AmbientSensor[]> {
  const w1 = (await fs.list(W1_DIR)).filter((d) => W1_THERMOMETER.test(d)).map(w1Sensor);
  const iio: AmbientSensor[] = [];
  for (const device of await fs.list(IIO_DIR)) {
    if (!/^iio:device\d+$/.test(device)) continue;
    const dir = `${IIO_DIR}/${device}`;
    const entries = new Set(await fs.list(dir));
    const temp = channel(dir, entries, 'in_temp');
    if (!temp) continue;
    const humidity = channel(dir, entries, 'in_humidityrelative');
    const name = safeName((await fs.readText(`${dir}/name`))?.trim() ?? '') || device;
    iio.push({
      sensor: `iio:${name}`,
      read: async (fs) => {
        const milliC = await temp(fs);
        if (milliC === null || !plausible(milliC / 1000)) return null;
        const milliPct = humidity ? await humidity(fs) : null;
        return { tempC: milliC / 1000, humidityPct: milliPct === null ? null : clampPct(milliPct / 1000) };
      },
    });
  }
  return [...w1, ...iio].slice(0, MAX_AMBIENT_SENSORS);
}

export async function readAmbient(fs: HostFs, sensors: AmbientSensor[]): Promise<AmbientReading[]> {
  const values = await Promise.all(sensors.map((s) => s.read(fs)));
  return sensors.flatMap((s, i) => {
    const v = values[i];
    return v ? [{ sensor: s.sensor, ...v }] : [];
  });
}

function w1Sensor(device: string): AmbientSensor {
  const dir = `${W1_DIR}/${device}`;
  return {
    sensor: `w1:${device.toLowerCase()}`,
    read: async (fs) => {
      let milliC = parseInteger(await fs.readText(`${dir}/temperature`));
      if (milliC === null) milliC = parseW1Slave(await fs.readText(`${dir}/w1_slave`));
      if (milliC === null || milliC === DS18B20_RESET_MILLI_C || !plausible(milliC / 1000)) return null;
      return { tempC: milliC / 1000, humidityPct: null };
    },
  };
}

/** `w1_slave`: `... : crc=c5 YES` then `... t=23125`; a failed CRC (`NO`) is no reading. */
export function parseW1Slave(text: string | null): number | null {
  if (text === null) return null;
  const [crcLine = '', dataLine = ''] = text.split('\n');
  if (!/\bYES\s*$/.test(crcLine)) return null;
  const m = /\bt=(-?\d+)\s*$/.exec(dataLine);
  return m ? Number(m[1]) : null;
}

/** An IIO channel's value in its ABI unit: `_input`, else `(_raw + _offset) * _scale`. */
function channel(dir: string, entries: Set<string>, prefix: string): ((fs: HostFs) => Promise<number | null>) | null {
  if (entries.has(`${prefix}_input`)) return async (fs) => parseDecimal(await fs.readText(`${dir}/${prefix}_input`));
  if (!entries.has(`${prefix}_raw`)) return null;
  return async (fs) => {
    const [raw, offset, scale] = await Promise.all(
      ['raw', 'offset', 'scale'].map(async (part) => (entries.has(`${prefix}_${part}`) ? parseDecimal(await fs.readText(`${dir}/${prefix}_${part}`)) : null)),
    );
    return raw === null || raw === undefined ? null : (raw + (offset ?? 0)) * (scale ?? 1);
  };
}

function plausible(tempC: number): boolean {
  return Number.isFinite(tempC) && tempC >= PLAUSIBLE_C.min && tempC <= PLAUSIBLE_C.max;
}

function clampPct(pct: number): number | null {
  return Number.isFinite(pct) ? Math.min(100, Math.max(0, pct)) : null;
}

/** A driver-given name as a sensor label: the board's strings are not trusted to be short or printable. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 48);
}
