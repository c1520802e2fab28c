/** Load average and memory use from `proc/loadavg` and `proc/meminfo`. */
import type { HostFs } from './host-fs.js';
import { parseDecimal } from './sysfs-values.js';

export async function readLoad1(fs: HostFs): Promise<number | null> {
  const text = await fs.readText('proc/loadavg');
  return parseDecimal(text?.trim().split(/\s+/)[0] ?? null);
}

export interface MemInfo {
  totalBytes: number | null;
  /** MemTotal - MemAvailable: what the kernel could not hand to a new task. */
  usedBytes: number | null;
}

export function parseMemInfo(text: string | null): MemInfo {
  const kib = (key: string): number | null => {
    const m = text === null ? null : new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
    return m?.[1] ? Number(m[1]) * 1024 : null;
  };
  const total = kib('MemTotal');
  const available = kib('MemAvailable');
  return { totalBytes: total, usedBytes: total !== null && available !== null ? total - available : null };
}

export async function readMemInfo(fs: HostFs): Promise<MemInfo> {
  return parseMemInfo(await fs.readText('proc/meminfo'));
}
