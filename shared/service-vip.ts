/**
 * A service's stable virtual address for reaching it by name: a loopback address (all of
 * 127.0.0.0/8 is local on Linux, nothing to configure) derived from its full name alone, so the
 * manager, every agent and a restarted agent agree on it without storing or sending anything. The
 * mesh listens there on the service's target ports. 127.0.x.x is left out (127.0.0.1 and the
 * addresses tests and hosts commonly use); two names may collide (1 in 16 million per pair), and
 * then the service first in the endpoint list gets the address.
 */
export function serviceVip(fullName: string): string {
  // FNV-1a, 32 bits.
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(fullName, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `127.${1 + (h % 255)}.${(h >>> 8) & 255}.${1 + ((h >>> 16) % 254)}`;
}

/** The environment name part for a service name: upper case, anything but letters and digits as `_`. */
export function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}
