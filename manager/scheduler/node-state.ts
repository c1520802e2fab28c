/**
 * The scheduler's working copy of a node during one scheduleTasks call. Placements made in the call
 * are added here, so later tasks see them; the caller's SchedulableNode stays untouched.
 */
import { DESIRED_SET_ENVELOPE_BYTES, MAX_DESIRED_SET_BYTES } from '../../shared/wire.js';
import type { HeapItem } from './heap.js';
import type { PlacementPolicy, Resources, SchedulableNode } from './types.js';

/** CPUs are counted in thousandths of a core so that ten 0.1-core tasks fit exactly on one core. */
export function milliCpus(cpus: number): number {
  return Math.round(cpus * 1000);
}

export class NodeState implements HeapItem {
  heapIndex = -1;
  readonly id: string;
  freeMilliCpus: number;
  freeMemoryBytes: number;
  freeGpus: number;
  /** Room left in the node's desired set, which must stay under the wire's limit to be delivered. */
  freeDesiredSetBytes: number;
  totalTasks: number;
  private readonly placedByService = new Map<string, number>();
  private readonly placedHostPorts = new Set<string>();
  private refusal: string | null | undefined;
  private cachedPenalty: number | undefined;

  constructor(
    readonly node: SchedulableNode,
    /** Nodes with equal constraint-relevant attributes share a class (see equivalenceKey). */
    readonly classId: number,
    private readonly policy: PlacementPolicy | undefined,
  ) {
    this.id = node.subject.id;
    this.freeMilliCpus = milliCpus(node.capacity.cpus) - milliCpus(node.reserved.cpus);
    this.freeMemoryBytes = node.capacity.memoryBytes - node.reserved.memoryBytes;
    this.freeGpus = node.capacity.gpus - node.reserved.gpus;
    this.freeDesiredSetBytes = MAX_DESIRED_SET_BYTES - DESIRED_SET_ENVELOPE_BYTES - (node.desiredSetBytes ?? 0);
    this.totalTasks = node.totalTasks;
  }

  tasksOf(serviceId: string): number {
    return (this.node.tasksByService.get(serviceId) ?? 0) + (this.placedByService.get(serviceId) ?? 0);
  }

  /** Whether a task already on the node, or placed in this call, publishes one of `ports` in host mode. */
  hostPortInUse(ports: readonly string[]): boolean {
    return ports.some((p) => this.placedHostPorts.has(p) || this.node.usedHostPorts?.has(p) === true);
  }

  /** The policy's reason to refuse new work, asked once per call (telemetry does not change mid-call). */
  refusedBecause(): string | null {
    if (this.refusal === undefined) this.refusal = this.policy?.refuse(this.node) ?? null;
    return this.refusal;
  }

  /** A misbehaving policy (negative, NaN) must not break the ordering: such answers count as 0. */
  penalty(): number {
    if (this.cachedPenalty === undefined) {
      const value = this.policy?.penalty(this.node) ?? 0;
      this.cachedPenalty = Number.isFinite(value) && value > 0 ? value : 0;
    }
    return this.cachedPenalty;
  }

  place(serviceId: string, reservations: Resources, specBytes = 0, hostPorts: readonly string[] = []): void {
    for (const p of hostPorts) this.placedHostPorts.add(p);
    this.freeDesiredSetBytes -= specBytes;
    this.freeMilliCpus -= milliCpus(reservations.cpus);
    this.freeMemoryBytes -= reservations.memoryBytes;
    this.freeGpus -= reservations.gpus;
    this.totalTasks += 1;
    this.placedByService.set(serviceId, (this.placedByService.get(serviceId) ?? 0) + 1);
  }
}

/**
 * Identical boards get the same key: everything a class-level filter reads (labels, engine labels,
 * platform, role, hw, drivers, availability, readiness), but not the node's id or hostname.
 */
export function equivalenceKey(node: SchedulableNode): string {
  const { subject } = node;
  return JSON.stringify([
    node.ready,
    node.availability,
    subject.role,
    subject.platform.os,
    subject.platform.arch,
    sortedEntries(subject.labels),
    sortedEntries(subject.engineLabels),
    subject.hw.cpuCores,
    subject.hw.memoryBytes,
    subject.hw.gpuCount,
    subject.hw.gpuMemoryBytes,
    subject.hw.ambientC ?? null,
    [...node.drivers].sort(),
    subject.devices ?? [],
  ]);
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Working copies of all nodes, ordered by id (so results never depend on the input order). */
export function nodeStates(nodes: SchedulableNode[], policy: PlacementPolicy | undefined): NodeState[] {
  const classIds = new Map<string, number>();
  const sorted = [...nodes].sort((a, b) => compareIds(a.subject.id, b.subject.id));
  return sorted.map((node) => {
    const key = equivalenceKey(node);
    let classId = classIds.get(key);
    if (classId === undefined) {
      classId = classIds.size;
      classIds.set(key, classId);
    }
    return new NodeState(node, classId, policy);
  });
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
