/** Builders for scheduler tests: nodes and requests with Swarm defaults, overridden per test. */
import { parseConstraints } from '../../../shared/constraints/index.js';
import type { ConstraintSubject } from '../../../shared/constraints/subject.js';
import type { PlacementRequest, SchedulableNode } from '../../../manager/scheduler/index.js';

const GiB = 1024 ** 3;

export interface NodeOptions extends Partial<Omit<SchedulableNode, 'subject' | 'tasksByService'>> {
  hostname?: string;
  arch?: string;
  os?: string;
  role?: ConstraintSubject['role'];
  labels?: Record<string, string>;
  engineLabels?: Record<string, string>;
  hw?: Partial<ConstraintSubject['hw']>;
  tasksByService?: Record<string, number>;
}

/** An idle, ready, active 4-core 8 GiB aarch64 worker with docker and process drivers. */
export function node(id: string, options: NodeOptions = {}): SchedulableNode {
  const tasksByService = new Map(Object.entries(options.tasksByService ?? {}));
  const counted = [...tasksByService.values()].reduce((sum, n) => sum + n, 0);
  return {
    subject: {
      id,
      hostname: options.hostname ?? `host-${id}`,
      role: options.role ?? 'worker',
      platform: { os: options.os ?? 'linux', arch: options.arch ?? 'aarch64' },
      labels: options.labels ?? {},
      engineLabels: options.engineLabels ?? {},
      hw: { cpuCores: 4, memoryBytes: 8 * GiB, gpuCount: 0, gpuMemoryBytes: 0, ...options.hw },
    },
    ready: options.ready ?? true,
    availability: options.availability ?? 'active',
    drivers: options.drivers ?? ['docker', 'process'],
    capacity: options.capacity ?? { cpus: 4, memoryBytes: 8 * GiB, gpus: 0 },
    reserved: options.reserved ?? { cpus: 0, memoryBytes: 0, gpus: 0 },
    tasksByService,
    totalTasks: options.totalTasks ?? counted,
    load1: options.load1 === undefined ? 0.5 : options.load1,
    usedHostPorts: options.usedHostPorts,
  };
}

export interface RequestOptions extends Partial<Omit<PlacementRequest, 'constraints' | 'taskId'>> {
  constraints?: string[];
}

/** `count` tasks of one service (`<service>.1`, `<service>.2`, ...). */
export function tasks(serviceId: string, count: number, options: RequestOptions = {}): PlacementRequest[] {
  const constraints = parseConstraints(options.constraints ?? []);
  return Array.from({ length: count }, (_, i) => ({
    serviceId,
    serviceName: serviceId,
    driver: 'docker',
    spread: [],
    maxReplicasPerNode: 0,
    reservations: { cpus: 0, memoryBytes: 0, gpus: 0 },
    ...options,
    constraints,
    taskId: `${serviceId}.${i + 1}`,
  }));
}

/** Node id -> number of the given placements on it. */
export function countByNode(placements: Map<string, string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const nodeId of placements.values()) counts[nodeId] = (counts[nodeId] ?? 0) + 1;
  return counts;
}

/** Deterministic pseudo-random numbers (mulberry32) for generated fleets. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export { GiB };
