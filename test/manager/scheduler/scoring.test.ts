import { describe, expect, it } from 'vitest';
import { scheduleTasks, type PlacementPolicy, type SchedulableNode } from '../../../manager/scheduler/index.js';
import { countByNode, node, seeded, tasks } from './fleet.js';

function penalties(byId: Record<string, number>): PlacementPolicy {
  return { refuse: () => null, penalty: (n) => byId[n.subject.id] ?? 0 };
}

function zoneCounts(placements: Map<string, string>, nodes: SchedulableNode[]): Record<string, number> {
  const zoneOf = new Map(nodes.map((n) => [n.subject.id, n.subject.labels.zone ?? '(none)']));
  const counts: Record<string, number> = {};
  for (const id of placements.values()) {
    const zone = zoneOf.get(id) as string;
    counts[zone] = (counts[zone] ?? 0) + 1;
  }
  return counts;
}

interface PreferenceCase {
  name: string;
  nodes: SchedulableNode[];
  penalty?: Record<string, number>;
  expected: string;
}

describe('node preference', () => {
  it.each<PreferenceCase>([
    {
      name: 'fewer tasks of the service beats fewer tasks overall',
      nodes: [node('a', { tasksByService: { web: 1 } }), node('b', { tasksByService: { db: 5 } })],
      expected: 'b',
    },
    {
      name: 'fewer tasks overall beats lower load',
      nodes: [node('a', { tasksByService: { db: 2 }, load1: 0.1 }), node('b', { tasksByService: { db: 1 }, load1: 3 })],
      expected: 'b',
    },
    { name: 'a lower penalty beats lower load', nodes: [node('a', { load1: 0.2 }), node('b', { load1: 0.5 })], penalty: { a: 5 }, expected: 'b' },
    { name: 'lower load breaks a tie in penalty', nodes: [node('a', { load1: 0.9 }), node('b', { load1: 0.5 })], penalty: { a: 1, b: 1 }, expected: 'b' },
    { name: 'a node with unknown load ranks after one with a known load', nodes: [node('a', { load1: null }), node('b', { load1: 3 })], expected: 'b' },
    { name: 'the policy penalty decides between otherwise equal nodes', nodes: [node('a'), node('b')], penalty: { a: 2, b: 1 }, expected: 'b' },
    { name: 'the node id breaks a full tie', nodes: [node('b'), node('a')], expected: 'a' },
  ])('$name', ({ nodes, penalty, expected }) => {
    const result = scheduleTasks(tasks('web', 1), nodes, penalties(penalty ?? {}));
    expect(result.placements.get('web.1')).toBe(expected);
  });

  it('spreads replicas of one call over the nodes, one each', () => {
    const nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`));
    const result = scheduleTasks(tasks('web', 10), nodes);
    expect(Object.values(countByNode(result.placements))).toEqual(Array(10).fill(1));
  });

  it('fills the emptiest nodes first, counting tasks already placed', () => {
    const nodes = [node('a', { tasksByService: { web: 2 } }), node('b'), node('c', { tasksByService: { web: 1 } })];
    const result = scheduleTasks(tasks('web', 3), nodes);
    expect(countByNode(result.placements)).toEqual({ b: 2, c: 1 });
  });

  it('keeps new work off a node the policy refuses and prefers cooler nodes', () => {
    const policy: PlacementPolicy = {
      refuse: (n) => (n.subject.id === 'hot' ? 'node too hot: 80.0 C >= 75 C' : null),
      penalty: (n) => (n.subject.id === 'warm' ? 1 : 0),
    };
    const nodes = [node('hot'), node('warm'), node('cool')];
    const result = scheduleTasks(tasks('web', 3), nodes, policy);
    expect(result.placements.get('web.1')).toBe('cool');
    expect(result.placements.get('web.2')).toBe('warm');
    expect(result.placements.get('web.3')).toBe('cool');
  });

  it('asks the policy about each node once per call, whatever the number of tasks', () => {
    let refuseCalls = 0;
    let penaltyCalls = 0;
    const policy: PlacementPolicy = {
      refuse: () => (refuseCalls++, null),
      penalty: () => (penaltyCalls++, 0),
    };
    scheduleTasks([...tasks('web', 50), ...tasks('db', 50)], [node('a'), node('b'), node('c')], policy);
    expect(refuseCalls).toBe(3);
    expect(penaltyCalls).toBe(3);
  });
});

describe('spread', () => {
  it('spreads a service evenly over zones of unequal size', () => {
    const nodes = [
      ...['a1', 'a2', 'a3', 'a4'].map((id) => node(id, { labels: { zone: 'a' } })),
      ...['b1', 'b2'].map((id) => node(id, { labels: { zone: 'b' } })),
      node('c1', { labels: { zone: 'c' } }),
    ];
    const result = scheduleTasks(tasks('web', 6, { spread: ['node.labels.zone'] }), nodes);
    expect(zoneCounts(result.placements, nodes)).toEqual({ a: 2, b: 2, c: 2 });
    expect(countByNode(result.placements).c1).toBe(2);
  });

  it('puts the nodes without the label in one group of their own', () => {
    const nodes = [node('a1', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' } }), node('n1'), node('n2')];
    const result = scheduleTasks(tasks('web', 6, { spread: ['node.labels.zone'] }), nodes);
    expect(zoneCounts(result.placements, nodes)).toEqual({ a: 2, b: 2, '(none)': 2 });
  });

  it('counts the tasks a zone already runs', () => {
    const nodes = [
      node('a1', { labels: { zone: 'a' }, tasksByService: { web: 3 } }),
      node('a2', { labels: { zone: 'a' } }),
      node('b1', { labels: { zone: 'b' } }),
      node('c1', { labels: { zone: 'c' } }),
    ];
    const result = scheduleTasks(tasks('web', 4, { spread: ['node.labels.zone'] }), nodes);
    expect(zoneCounts(result.placements, nodes)).toEqual({ b: 2, c: 2 });
  });

  it('moves on to other zones when a zone is full', () => {
    const nodes = [
      node('a1', { labels: { zone: 'a' }, capacity: { cpus: 1, memoryBytes: 1, gpus: 0 } }),
      node('b1', { labels: { zone: 'b' } }),
    ];
    const result = scheduleTasks(tasks('web', 4, { spread: ['node.labels.zone'], reservations: { cpus: 1, memoryBytes: 0, gpus: 0 } }), nodes);
    expect(countByNode(result.placements)).toEqual({ a1: 1, b1: 3 });
  });

  it('spreads over racks within zones with two preferences, engine labels included', () => {
    const nodes: SchedulableNode[] = [];
    for (const zone of ['a', 'b'])
      for (const rack of ['1', '2'])
        for (const i of [1, 2]) nodes.push(node(`${zone}${rack}-${i}`, { labels: { zone }, engineLabels: { rack } }));
    const result = scheduleTasks(tasks('web', 4, { spread: ['node.labels.zone', 'engine.labels.rack'] }), nodes);
    const racks = new Set([...result.placements.values()].map((id) => id.slice(0, 2)));
    expect(racks).toEqual(new Set(['a1', 'a2', 'b1', 'b2']));
  });

  it('spreads over architectures with node.platform.arch, aliases in one group', () => {
    const nodes = [node('pi', { arch: 'arm64' }), node('pi2', { arch: 'aarch64' }), node('box', { arch: 'x86_64' })];
    const result = scheduleTasks(tasks('web', 2, { spread: ['node.platform.arch'] }), nodes);
    expect(new Set(result.placements.values()).has('box')).toBe(true);
  });

  it('ignores a descriptor it does not know, as Swarm does', () => {
    const nodes = [node('a', { labels: { zone: 'x' } }), node('b', { labels: { zone: 'x' } }), node('c', { labels: { zone: 'y' } })];
    const known = scheduleTasks(tasks('web', 2, { spread: ['node.labels.zone'] }), nodes);
    const unknown = scheduleTasks(tasks('web', 2, { spread: ['node.nonsense'] }), nodes);
    expect(new Set(known.placements.values())).toEqual(new Set(['a', 'c']));
    expect(new Set(unknown.placements.values())).toEqual(new Set(['a', 'b']));
  });
});

describe('determinism', () => {
  const fleet = (): SchedulableNode[] =>
    Array.from({ length: 40 }, (_, i) =>
      node(`n${String(i).padStart(2, '0')}`, {
        labels: { zone: `z${i % 3}` },
        tasksByService: i % 4 === 0 ? { web: 1 } : {},
        load1: (i % 5) / 2,
      }),
    );
  const requests = [...tasks('web', 25, { spread: ['node.labels.zone'] }), ...tasks('db', 10, { maxReplicasPerNode: 1 })];

  it('gives the same answer for any order of the nodes', () => {
    const random = seeded(7);
    const shuffled = fleet().sort(() => random() - 0.5);
    expect(scheduleTasks(requests, shuffled)).toEqual(scheduleTasks(requests, fleet()));
  });

  it('leaves its inputs untouched, so the same call gives the same answer', () => {
    const nodes = fleet();
    const before = structuredClone(nodes);
    const first = scheduleTasks(requests, nodes);
    expect(nodes).toEqual(before);
    expect(scheduleTasks(requests, nodes)).toEqual(first);
  });
});
