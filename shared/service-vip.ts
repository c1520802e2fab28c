/**
 * A service's virtual address (VIP), for reaching it by name. The manager hands each service one
 * from `--vip-range` (manager/vip-allocator.ts) and stores it with the service. Agents put it on
 * the board's `lo`, where containers reach it through their default gateway, and the mesh listens
 * there. Process tasks share the board's own network and get the VIP's loopback twin instead:
 * 127.x.y.z from the VIP's low 24 bits, local on every Linux board with nothing configured (so it
 * works where the agent may not add addresses), and one-to-one for any range of /8 or smaller.
 */

/** The loopback address the mesh also listens on for a VIP: `10.213.0.7` -> `127.213.0.7`. */
export function loopbackTwin(vip: string): string {
  return `127.${vip.split('.').slice(1).join('.')}`;
}

/** The environment name part for a service name: upper case, anything but letters and digits as `_`. */
export function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}
