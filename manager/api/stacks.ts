/**
 * Stacks are services sharing `spec.stack`. A deploy applies the file's set in one transaction: it
 * creates what is new, updates what changed, removes what the file dropped only with `prune` (as
 * `docker stack deploy --prune`; otherwise they are kept and listed), and changes nothing at all if
 * any of it is refused (a port conflict included: no half-applied stack).
 */
import { portKey } from '../../shared/port-list.js';
import type { ServiceSpec } from '../../shared/service-spec.js';
import type { Cluster } from '../cluster.js';
import type { ServiceRecord } from '../store/records.js';
import { badRequest, notFound } from './errors.js';
import type { StackDeployResult, StackView } from './views.js';

/** JSON with sorted keys: two specs are the same service whatever order their fields came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export function stacks(cluster: Cluster): StackView[] {
  const counts = new Map<string, number>();
  for (const s of cluster.listServices()) if (s.spec.stack) counts.set(s.spec.stack, (counts.get(s.spec.stack) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, services]) => ({ name, services }));
}

export function stackServices(cluster: Cluster, name: string): ServiceRecord[] {
  const found = cluster.listServices().filter((s) => s.spec.stack === name);
  if (found.length === 0) throw notFound(`no such stack: ${name}`);
  return found;
}

export type Transaction = <T>(fn: () => T) => T;

export function applyStack(cluster: Cluster, transaction: Transaction, name: string, specs: ServiceSpec[], options: { prune: boolean } = { prune: false }): StackDeployResult {
  for (const [i, spec] of specs.entries()) {
    if (spec.stack !== name) throw badRequest(`services.${i}.stack: must be '${name}', the stack being deployed`);
    if (!spec.name.startsWith(`${name}_`)) throw badRequest(`services.${i}.name: must start with '${name}_'`);
  }
  const result: StackDeployResult = { created: [], updated: [], removed: [], unchanged: [], kept: [] };
  transaction(() => {
    const existing = new Map(cluster.listServices().filter((s) => s.spec.stack === name).map((s) => [s.name, s]));
    const wanted = specs.map((spec) => cluster.withKeptPorts(spec));
    const names = new Set(wanted.map((s) => s.name));
    // Pruned services go first and services that take up a new port last, so a port the file moves
    // from one service to another is free by the time its new holder claims it.
    for (const gone of existing.values()) {
      if (names.has(gone.name)) continue;
      if (!options.prune) {
        result.kept.push(gone.name);
        continue;
      }
      cluster.removeService(gone.id);
      result.removed.push(gone.name);
    }
    const takesNewPort = (spec: ServiceSpec): boolean => {
      const had = new Set(existing.get(spec.name)?.spec.ports.map(portKey));
      return spec.ports.some((p) => !had.has(portKey(p)));
    };
    for (const spec of [...wanted.filter((s) => !takesNewPort(s)), ...wanted.filter(takesNewPort)]) {
      const current = existing.get(spec.name);
      if (!current) {
        cluster.createService(spec);
        result.created.push(spec.name);
      } else if (canonical(current.spec) !== canonical(spec)) {
        cluster.updateService(current.id, { spec });
        result.updated.push(spec.name);
      } else result.unchanged.push(spec.name);
    }
  });
  return result;
}

export function removeStack(cluster: Cluster, transaction: Transaction, name: string): StackDeployResult {
  const result: StackDeployResult = { created: [], updated: [], removed: [], unchanged: [], kept: [] };
  transaction(() => {
    for (const s of stackServices(cluster, name)) {
      cluster.removeService(s.id);
      result.removed.push(s.name);
    }
  });
  return result;
}
