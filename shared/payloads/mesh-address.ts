/**
 * A board's advertise address, in a module of its own: node facts and the endpoint list both carry
 * it, and the endpoint list imports the service spec, which imports the facts.
 */
import { BlockList, isIPv6 } from 'node:net';
import { z } from 'zod';

/** Where no board can be reached: "this network" (0.0.0.0/8), multicast, reserved and broadcast (240.0.0.0/4), and their IPv6 kin. */
const UNREACHABLE = new BlockList();
UNREACHABLE.addSubnet('0.0.0.0', 8, 'ipv4');
UNREACHABLE.addSubnet('224.0.0.0', 3, 'ipv4');
UNREACHABLE.addAddress('::', 'ipv6');
UNREACHABLE.addSubnet('ff00::', 8, 'ipv6');

/** Whether an IP address could be a board's: not unspecified, multicast, reserved or broadcast. */
export function isBoardAddress(addr: string): boolean {
  return !UNREACHABLE.check(addr, isIPv6(addr) ? 'ipv6' : 'ipv4');
}

/** A board's advertise address: what other boards' meshes connect to. */
export const meshAddress = z
  .union([z.ipv4(), z.ipv6()])
  .refine(isBoardAddress, { error: 'is not an address a board can be reached at (0.0.0.0/8, multicast, reserved or broadcast)' });
