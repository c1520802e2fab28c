/**
 * The Pi's `rpi_volt` hwmon chip: `in0_lcrit_alarm` is 1 when the firmware saw under-voltage since
 * the driver's last poll (every 2 s), so it is an "under-voltage now" signal next to the throttle word.
 */
import type { HostFs } from './host-fs.js';
import type { HwmonChip } from './hwmon.js';
import { parseInteger } from './sysfs-values.js';

export function findUnderVoltageAlarm(chips: HwmonChip[]): string | null {
  const chip = chips.find((c) => c.chipName === 'rpi_volt');
  return chip ? `${chip.dir}/in0_lcrit_alarm` : null;
}

export async function readUnderVoltageAlarm(fs: HostFs, file: string | null): Promise<boolean | null> {
  if (file === null) return null;
  const value = parseInteger(await fs.readText(file));
  return value === null ? null : value !== 0;
}
