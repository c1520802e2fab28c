/**
 * The fast paths (class-shared verdicts, the heap tree) must give exactly the answer of the plain
 * definition: every node checked on its own, the best node found by a full scan for every task.
 */
import { describe, expect, it } from 'vitest';
import {
  checkNode,
  scheduleTasks,
  type PlacementPolicy,
  type PlacementRequest,
  type SchedulableNode,
  type ScheduleResult,
} from '../../../manager/scheduler/index.js';
import { GiB, node, seeded, tasks } from './fleet.js';

const BOARDS = [
  { arch: 'aarch64', labels: { board: 'pi4' }, capacity: { cpus: 4, memoryBytes: 4 * GiB, gpus: 0 }, drivers: ['docker', 'process'] },
  { arch: 'aarch64', labels: { board: 'orin', gpu: 'true' }, capacity: { cpus: 8, memoryBytes: 16 * GiB, gpus: 1 }, drivers: ['docker'] },
  { arch: 'x86_64', labels: { board: 'pc', gpu: 'true' }, capacity: { cpus: 16, memoryBytes: 32 * GiB, gpus: 2 }, drivers: ['docker', 'process'] },
] as const;

function generatedFleet(seed: number, size: number): { nodes: SchedulableNode[]; policy: PlacementPolicy } {
  const random = seeded(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hot = new Set<string>();
  const warmth = new Map<string, number>();
  const nodes = Array.from({ length: size }, (_, i) => {
    const id = `node-${String(i).padStart(4, '0')}`;
    const board = pick(BOARDS);
    if (random() < 0.05) hot.add(id);
    warmth.set(id, pick([0, 0, 1, 2]));
    const used = pick([0, 0, 1, 2]);
    return node(id, {
      arch: board.arch,
      labels: { ...board.labels, ...(random() < 0.9 ? { zone: pick(['north', 'south', 'east']) } : {}) },
      engineLabels: { rack: pick(['r1', 'r2']) },
      drivers: [...board.drivers],
      capacity: board.capacity,
      reserved: { cpus: used, memoryBytes: used * GiB, gpus: 0 },
      ready: random() < 0.95,
      availability: pick(['active', 'active', 'active', 'active', 'pause', 'drain'] as const),
      tasksByService: { web: pick([0, 0, 1]), infer: pick([0, 1]) },
      load1: pick([null, 0.5, 1, 1, 2]),
    });
  });
  const policy: PlacementPolicy = {
    refuse: (n) => (hot.has(n.subject.id) ? `node too hot: ${n.subject.id}` : null),
    penalty: (n) => warmth.get(n.subject.id) ?? 0,
  };
  return { nodes, policy };
}

const workload = (): PlacementRequest[] => [
  ...tasks('web', 120, { spread: ['node.labels.zone'], reservations: { cpus: 0.5, memoryBytes: GiB / 2, gpus: 0 } }),
  ...tasks('infer', 60, { constraints: ['node.labels.gpu==true'], spread: ['node.labels.zone', 'engine.labels.rack'], reservations: { cpus: 1, memoryBytes: GiB, gpus: 1 } }),
  ...tasks('sensor', 80, { driver: 'process', constraints: ['node.platform.arch==arm64'], maxReplicasPerNode: 1 }),
  ...tasks('cuda', 40, { constraints: ['node.labels.board==pc', 'node.hw.gpu.count>=2'], maxReplicasPerNode: 2, reservations: { cpus: 2, memoryBytes: 0, gpus: 1 } }),
  ...tasks('metrics', 30, { platforms: [{ os: 'linux', arch: 'amd64' }], spread: ['engine.labels.rack'] }),
];

/** The definition: check every node for every task and take the lexicographically best by a full scan. */
function referenceSchedule(requests: PlacementRequest[], input: SchedulableNode[], policy: PlacementPolicy): ScheduleResult {
  const nodes = structuredClone(input);
  const placements = new Map<string, string>();
  const pending = new Map<string, string>();
  const isDynamic = (filter: string): boolean => filter === 'resources' || filter === 'maxReplicas';
  for (const request of requests) {
    const verdicts = nodes.map((n) => ({ n, failure: checkNode(request, n, policy) }));
    const counted = verdicts.filter((v) => v.failure === null || isDynamic(v.failure.filter)).map((v) => v.n);
    const spreadValue = (n: SchedulableNode, descriptor: string): string =>
      (descriptor.startsWith('node.labels.') ? n.subject.labels : n.subject.engineLabels)[descriptor.split('.')[2] as string] ?? '';
    const groupTasks = (n: SchedulableNode, depth: number): number =>
      counted
        .filter((m) => request.spread.slice(0, depth).every((d) => spreadValue(m, d) === spreadValue(n, d)))
        .reduce((sum, m) => sum + (m.tasksByService.get(request.serviceId) ?? 0), 0);
    const key = (n: SchedulableNode): (number | string)[] => [
      ...request.spread.map((_, level) => groupTasks(n, level + 1)),
      n.tasksByService.get(request.serviceId) ?? 0,
      n.totalTasks,
      policy.penalty(n),
      n.load1 ?? Number.POSITIVE_INFINITY,
      n.subject.id,
    ];
    const less = (a: (number | string)[], b: (number | string)[]): boolean => {
      const i = a.findIndex((value, index) => value !== b[index]);
      return i >= 0 && (a[i] as number | string) < (b[i] as number | string);
    };
    let best: { n: SchedulableNode; key: (number | string)[] } | null = null;
    for (const { n, failure } of verdicts) {
      if (failure !== null) continue;
      const k = key(n);
      if (best === null || less(k, best.key)) best = { n, key: k };
    }
    if (best === null) {
      pending.set(request.taskId, 'pending');
      continue;
    }
    const { n } = best;
    placements.set(request.taskId, n.subject.id);
    n.reserved.cpus += request.reservations.cpus;
    n.reserved.memoryBytes += request.reservations.memoryBytes;
    n.reserved.gpus += request.reservations.gpus;
    n.totalTasks += 1;
    n.tasksByService.set(request.serviceId, (n.tasksByService.get(request.serviceId) ?? 0) + 1);
  }
  return { placements, pending };
}

describe('fast paths equal the definition', () => {
  it.each([1, 2, 3])('heap-tree placements equal a full scan per task (fleet %i)', (seed) => {
    const { nodes, policy } = generatedFleet(seed, 150);
    const requests = workload();
    const fast = scheduleTasks(requests, nodes, policy);
    const reference = referenceSchedule(requests, nodes, policy);
    expect(fast.placements).toEqual(reference.placements);
    expect([...fast.pending.keys()]).toEqual([...reference.pending.keys()]);
    expect(fast.pending.size).toBeGreaterThan(0);
    expect(fast.placements.size).toBeGreaterThan(200);
  });

  it.each([4, 5])('verdicts shared by identical boards equal checking every node (fleet %i)', (seed) => {
    const { nodes, policy } = generatedFleet(seed, 300);
    const shared = scheduleTasks(workload(), nodes, policy);
    // A constraint on node.hostname makes every constraint verdict per node; this one never fails.
    const perNode = workload().map((r) => ({ ...r, constraints: [...r.constraints, ...tasks('x', 1, { constraints: ['node.hostname!=nowhere'] })[0]!.constraints] }));
    const individually = scheduleTasks(perNode, nodes, policy);
    expect(individually).toEqual(shared);
  });
});
