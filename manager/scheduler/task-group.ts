/**
 * Requests of one service in one call are alike but for their task id, so the filter work is done
 * once per group. The group key covers every field a filter or scorer reads, so two specs of the
 * same service (mid-update) never share a verdict by mistake.
 */
import type { Constraint } from '../../shared/constraints/index.js';
import type { TaskDriver } from '../../shared/payloads/facts.js';
import { milliCpus } from './node-state.js';
import type { PlacementRequest, Platform, Resources } from './types.js';

export interface TaskGroup {
  readonly serviceId: string;
  readonly driver: TaskDriver;
  readonly constraints: Constraint[];
  /** Constraints on node.id or node.hostname differ between identical boards: check them per node. */
  readonly constraintsNameNodes: boolean;
  readonly platforms: Platform[];
  readonly devices: string[];
  readonly maxReplicasPerNode: number;
  readonly reservations: Resources;
  readonly reservedMilliCpus: number;
  readonly spread: string[];
  /** Host-mode ports (`9100/tcp`) each task takes on its node. */
  readonly hostPorts: string[];
  /** The largest desired-set entry of the group's tasks (they differ by a few id and slot digits). */
  specBytes: number;
  readonly taskIds: string[];
}

/** Groups valid requests in order of first appearance; invalid ones go to `pending` with the reason. */
export function groupRequests(requests: PlacementRequest[], pending: Map<string, string>): TaskGroup[] {
  const groups = new Map<string, TaskGroup>();
  let previous: { request: PlacementRequest; group: TaskGroup } | null = null;
  for (const request of requests) {
    // A run of requests sharing their fields' objects (one service's tasks) is one group: no key to build.
    let group: TaskGroup | undefined = previous !== null && sameFields(previous.request, request) ? previous.group : undefined;
    if (group === undefined) {
      const problem = requestProblem(request);
      if (problem !== null) {
        pending.set(request.taskId, `invalid placement request for task ${request.taskId}: ${problem}`);
        continue;
      }
      const key = groupKey(request);
      group = groups.get(key);
      if (group === undefined) {
        group = taskGroup(request);
        groups.set(key, group);
      }
    }
    previous = { request, group };
    group.taskIds.push(request.taskId);
    group.specBytes = Math.max(group.specBytes, request.specBytes ?? 0);
  }
  return [...groups.values()];
}

/** The group a request belongs to (with no task ids yet). */
export function taskGroup(request: PlacementRequest): TaskGroup {
  return {
    serviceId: request.serviceId,
    driver: request.driver,
    constraints: request.constraints,
    constraintsNameNodes: request.constraints.some(
      (c) => c.target.kind === 'field' && (c.target.field === 'id' || c.target.field === 'hostname'),
    ),
    platforms: request.platforms ?? [],
    devices: request.devices ?? [],
    maxReplicasPerNode: request.maxReplicasPerNode,
    reservations: request.reservations,
    reservedMilliCpus: milliCpus(request.reservations.cpus),
    spread: request.spread,
    specBytes: request.specBytes ?? 0,
    hostPorts: request.hostPorts ?? [],
    taskIds: [],
  };
}

function sameFields(a: PlacementRequest, b: PlacementRequest): boolean {
  return (
    a.serviceId === b.serviceId &&
    a.driver === b.driver &&
    a.constraints === b.constraints &&
    a.spread === b.spread &&
    a.maxReplicasPerNode === b.maxReplicasPerNode &&
    a.reservations === b.reservations &&
    a.platforms === b.platforms &&
    a.devices === b.devices &&
    a.specBytes === b.specBytes &&
    a.hostPorts === b.hostPorts
  );
}

function groupKey(request: PlacementRequest): string {
  const { cpus, memoryBytes, gpus } = request.reservations;
  return JSON.stringify([
    request.serviceId,
    request.driver,
    request.constraints.map((c) => c.text),
    request.spread,
    request.maxReplicasPerNode,
    [cpus, memoryBytes, gpus],
    request.platforms ?? [],
    request.devices ?? [],
    request.hostPorts ?? [],
  ]);
}

/** The store validates specs already; this keeps a corrupt row from poisoning the heap order. */
function requestProblem(request: PlacementRequest): string | null {
  for (const field of ['cpus', 'memoryBytes', 'gpus'] as const) {
    const value = request.reservations[field];
    if (!Number.isFinite(value) || value < 0) return `reservations.${field} must be a number >= 0 (got ${value})`;
  }
  if (!Number.isInteger(request.maxReplicasPerNode) || request.maxReplicasPerNode < 0) {
    return `maxReplicasPerNode must be an integer >= 0 (got ${request.maxReplicasPerNode})`;
  }
  return null;
}
