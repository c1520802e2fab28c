/**
 * The Raspberry Pi firmware throttle word, read from sysfs so no `vcgencmd` runs per sample:
 * `devices/platform/soc/soc:firmware/get_throttled`, on a Pi 5 under `soc@107c000000`. Hex
 * without `0x`; `vcgencmd get_throttled` prints the same word as `throttled=0x50005`.
 */
import type { HostFs } from './host-fs.js';

export interface ThrottleFlags {
  underVoltageNow: boolean;
  freqCappedNow: boolean;
  throttledNow: boolean;
  softTempLimitNow: boolean;
  underVoltageOccurred: boolean;
}

const PLATFORM_DIR = 'sys/devices/platform';

/** Path of the board's `get_throttled` file, or null on boards that have none. */
export async function findThrottleFile(fs: HostFs): Promise<string | null> {
  for (const soc of await fs.list(PLATFORM_DIR)) {
    if (!soc.startsWith('soc')) continue;
    for (const node of await fs.list(`${PLATFORM_DIR}/${soc}`)) {
      if (!node.includes('firmware')) continue;
      const file = `${PLATFORM_DIR}/${soc}/${node}/get_throttled`;
      if ((await fs.readText(file)) !== null) return file;
    }
  }
  return null;
}

/** Decodes `50005` or `throttled=0x50005`; null for anything that is not a hex word. */
export function decodeThrottleWord(text: string | null): ThrottleFlags | null {
  const m = text === null ? null : /^\s*(?:throttled=)?(?:0x)?([0-9a-f]+)\s*$/i.exec(text);
  if (!m?.[1]) return null;
  const word = parseInt(m[1], 16);
  return {
    underVoltageNow: (word & 0x1) !== 0,
    freqCappedNow: (word & 0x2) !== 0,
    throttledNow: (word & 0x4) !== 0,
    softTempLimitNow: (word & 0x8) !== 0,
    underVoltageOccurred: (word & 0x10000) !== 0,
  };
}

export async function readThrottleFlags(fs: HostFs, file: string | null): Promise<ThrottleFlags | null> {
  return file === null ? null : decodeThrottleWord(await fs.readText(file));
}
