/**
 * The names a service's tasks reach other services by, with their virtual addresses: every service
 * outside a stack by its full name; within a stack, the services that share a compose network with
 * it (no `networks:` is the stack's `default`) by compose name and full name, as Compose scopes
 * names. Every service with a virtual address is named, as Swarm names every service: what
 * listens is only known once its tasks run (an image's own EXPOSE ports), and a name with nothing
 * behind it costs nothing. Stack services are not named to tasks outside their stack: the networks
 * are the isolation hint.
 */
import { MAX_TASK_HOSTS, type TaskHost } from '../../shared/payloads/endpoints.js';
import { DEFAULT_NETWORK } from '../../shared/service-spec.js';
import type { ServiceRecord } from '../store/records.js';

const networksOf = (s: ServiceRecord): string[] => (s.spec.networks.length > 0 ? s.spec.networks : [DEFAULT_NETWORK]);

function reachable(s: ServiceRecord): s is ServiceRecord & { vip: string } {
  return s.vip !== null;
}

/** The hosts of one service's tasks, sorted by name; a stack's own compose names win over plain services' names. */
export function hostsOf(service: ServiceRecord, all: readonly ServiceRecord[]): TaskHost[] {
  const hosts = new Map<string, string>();
  const stack = service.spec.stack;
  if (stack !== null) {
    const mine = new Set(networksOf(service));
    for (const other of all) {
      if (!reachable(other) || other.spec.stack !== stack || !networksOf(other).some((n) => mine.has(n))) continue;
      hosts.set(other.name, other.vip);
      if (other.name.startsWith(`${stack}_`)) hosts.set(other.name.slice(stack.length + 1), other.vip);
    }
  }
  for (const other of all) if (reachable(other) && other.spec.stack === null && !hosts.has(other.name)) hosts.set(other.name, other.vip);
  return [...hosts].sort(([a], [b]) => a.localeCompare(b)).slice(0, MAX_TASK_HOSTS).map(([name, vip]) => ({ name, vip }));
}

/** A lookup of hostsOf by service id over one read of the services (made at the first lookup), each computed once. */
export function hostsLookup(services: () => readonly ServiceRecord[]): (serviceId: string) => TaskHost[] {
  let all: readonly ServiceRecord[] | null = null;
  let byId = new Map<string, ServiceRecord>();
  const memo = new Map<string, TaskHost[]>();
  return (serviceId) => {
    if (all === null) {
      all = services();
      byId = new Map(all.map((s) => [s.id, s]));
    }
    let hosts = memo.get(serviceId);
    if (hosts === undefined) {
      const service = byId.get(serviceId);
      hosts = service ? hostsOf(service, all) : [];
      memo.set(serviceId, hosts);
    }
    return hosts;
  };
}
