/** Names and addresses the manager's server certificate is valid for (no TLS code: the CLI loads this). */
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/** A `--tls-san` value: an IP address or a DNS name. */
export function isValidSan(san: string): boolean {
  return isIP(san) !== 0 || /^(?=.{1,253}$)(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(san);
}

/**
 * The names boards may reach this manager by: its hostname, localhost, loopback, every address of
 * its interfaces (IPv6 link-local left out: it needs a zone), and the `--tls-san` extras.
 */
export function managerSans(extra: readonly string[]): string[] {
  const names = [hostname(), 'localhost', '127.0.0.1', '::1'];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (!a.address.toLowerCase().startsWith('fe80:')) names.push(a.address);
  }
  const unspecified = new Set(['0.0.0.0', '::']);
  return [...new Set([...names, ...extra].filter((n) => isValidSan(n) && !unspecified.has(n)))];
}

/** Loopback only: 127.0.0.0/8, ::1 or localhost. Anything else reaches the network and gets TLS. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}
