/**
 * The cluster's published ports, as swarmkit's controlapi and port allocator keep them:
 * - a port number+protocol is published by one service when any side uses mode ingress (the mesh
 *   listens on it on every board); two services may both publish it in mode host, and the
 *   scheduler keeps their tasks on different boards;
 * - `published: 0` gets a port from 30000-32767: the one the service had for the same target,
 *   protocol and mode if it is still free (a redeploy keeps it), else the lowest free one. The
 *   stored spec holds the port, so it survives manager restarts.
 */
import { portKey } from '../shared/port-list.js';
import type { PublishedPort } from '../shared/published-ports.js';
import type { ServiceSpec } from '../shared/service-spec.js';

export const DYNAMIC_PORTS = { first: 30000, last: 32767 } as const;

export type PortAllocation = { ok: true; ports: PublishedPort[] } | { ok: false; error: string };

/** Who holds each port key among the other services, and in which mode. */
type Holders = Map<string, { service: string; mode: PublishedPort['mode'] }>;

function holdersOf(others: readonly ServiceSpec[]): Holders {
  const holders: Holders = new Map();
  for (const other of others) {
    for (const port of other.ports) {
      const held = holders.get(portKey(port));
      // An ingress holder is the one worth naming: it is what makes the port exclusive.
      if (!held || (held.mode === 'host' && port.mode === 'ingress')) holders.set(portKey(port), { service: other.name, mode: port.mode });
    }
  }
  return holders;
}

function conflictOf(port: PublishedPort, holders: Holders): string | null {
  const held = holders.get(portKey(port));
  if (!held || (held.mode === 'host' && port.mode === 'host')) return null;
  return `published port ${portKey(port)} is already in use by service '${held.service}' as ${held.mode === 'ingress' ? 'an ingress' : 'a host-mode'} port`;
}

const sameTarget = (a: PublishedPort, b: PublishedPort): boolean => a.target === b.target && a.protocol === b.protocol && a.mode === b.mode;

/** Ports a request left at 0 take the ones `current` had for the same target (no allocation, no checks). */
export function keepAssignedPorts(ports: PublishedPort[], current: ServiceSpec | null): PublishedPort[] {
  const explicit = new Set(ports.filter((p) => p.published !== 0).map(portKey));
  const kept = new Set<string>();
  return ports.map((port) => {
    if (port.published !== 0) return port;
    const previous = current?.ports.find((p) => sameTarget(p, port) && !explicit.has(portKey(p)) && !kept.has(portKey(p)));
    if (!previous) return port;
    kept.add(portKey(previous));
    return { ...port, published: previous.published };
  });
}

/** `spec`'s ports with every 0 assigned, or why they cannot be published next to `others`. */
export function allocatePorts(spec: ServiceSpec, current: ServiceSpec | null, others: readonly ServiceSpec[]): PortAllocation {
  const holders = holdersOf(others);
  const ports = keepAssignedPorts(spec.ports, current);
  const taken = new Set([...holders.keys(), ...ports.filter((p) => p.published !== 0).map(portKey)]);
  const next: Record<PublishedPort['protocol'], number> = { tcp: DYNAMIC_PORTS.first, udp: DYNAMIC_PORTS.first };
  const out: PublishedPort[] = [];
  for (const port of ports) {
    let assigned = port;
    if (port.published === 0) {
      let candidate = next[port.protocol];
      while (candidate <= DYNAMIC_PORTS.last && taken.has(`${candidate}/${port.protocol}`)) candidate++;
      if (candidate > DYNAMIC_PORTS.last) {
        return { ok: false, error: `no port left in ${DYNAMIC_PORTS.first}-${DYNAMIC_PORTS.last}/${port.protocol} to publish target port ${port.target} on; give it one with published=` };
      }
      next[port.protocol] = candidate + 1;
      assigned = { ...port, published: candidate };
      taken.add(portKey(assigned));
    }
    const conflict = conflictOf(assigned, holders);
    if (conflict) return { ok: false, error: conflict };
    out.push(assigned);
  }
  return { ok: true, ports: out };
}
