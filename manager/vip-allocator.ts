/**
 * Virtual addresses for services (shared/service-vip.ts) from the manager's `--vip-range`. Each
 * service gets the lowest free address when it is created and keeps it, stored with the service,
 * until it is removed; a stored one outside a changed range is kept. No two services share one,
 * unlike a hashed address.
 */
import { isIPv4 } from 'node:net';

export const DEFAULT_VIP_RANGE = '10.213.0.0/16';

export interface VipRange {
  text: string;
  /** The first and last usable addresses (the network and broadcast addresses are left out). */
  first: number;
  last: number;
}

const toInt = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** `10.213.0.0/16`: IPv4, /8 to /30, outside 127.0.0.0/8 (where the loopback twins live); else an error message. */
export function parseVipRange(cidr: string): VipRange | string {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  const prefix = Number(m?.[2]);
  if (!m?.[1] || !isIPv4(m[1]) || prefix < 8 || prefix > 30) return `'${cidr}' is not an IPv4 range from /8 to /30, such as ${DEFAULT_VIP_RANGE}`;
  const size = 2 ** (32 - prefix);
  const base = toInt(m[1]) - (toInt(m[1]) % size);
  if (Math.floor(base / 2 ** 24) === 127) return `'${cidr}' is inside 127.0.0.0/8, which the services' loopback addresses use`;
  return { text: `${toIp(base)}/${prefix}`, first: base + 1, last: base + size - 2 };
}

/** The lowest address of the range no service holds, or null when all are taken. */
export function allocateVip(range: VipRange, taken: Iterable<string | null>): string | null {
  const held = new Set<number>();
  for (const vip of taken) if (vip !== null) held.add(toInt(vip));
  for (let n = range.first; n <= range.last; n++) if (!held.has(n)) return toIp(n);
  return null;
}
