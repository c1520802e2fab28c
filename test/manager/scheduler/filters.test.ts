import { describe, expect, it } from 'vitest';
import { checkNode, scheduleTasks, type PlacementPolicy, type SchedulableNode } from '../../../manager/scheduler/index.js';
import { GiB, node, tasks, type RequestOptions } from './fleet.js';

/** Refuses the nodes named in `hot` with a reason quoting their temperature. */
function heatPolicy(hot: Record<string, number>): PlacementPolicy {
  return {
    refuse: (n) => {
      const temp = hot[n.subject.id];
      return temp === undefined ? null : `node too hot: ${temp.toFixed(1)} C >= 75 C`;
    },
    penalty: () => 0,
  };
}

interface PendingCase {
  name: string;
  nodes: SchedulableNode[];
  request?: RequestOptions;
  policy?: PlacementPolicy;
  reason: string;
}

const pendingCases: PendingCase[] = [
  { name: 'empty cluster', nodes: [], reason: 'no suitable node (no nodes)' },
  {
    name: 'not ready',
    nodes: [node('a', { ready: false }), node('b', { ready: false })],
    reason: 'no suitable node (2 nodes not ready)',
  },
  {
    name: 'paused and drained',
    nodes: [node('a', { availability: 'pause' }), node('b', { availability: 'drain' }), node('c', { availability: 'drain' })],
    reason: 'no suitable node (2 nodes drained, 1 node paused)',
  },
  {
    name: 'policy refuses: its own reason',
    nodes: [node('a')],
    policy: heatPolicy({ a: 78.2 }),
    reason: 'no suitable node (node too hot: 78.2 C >= 75 C)',
  },
  {
    name: 'driver missing',
    nodes: [node('a', { drivers: ['docker'] })],
    request: { driver: 'process' },
    reason: 'no suitable node (1 node cannot run process tasks)',
  },
  {
    name: 'constraint fails everywhere',
    nodes: [node('a'), node('b', { labels: { gpu: 'false' } }), node('c')],
    request: { constraints: ['node.labels.gpu==true'] },
    reason: 'no suitable node (3 nodes failed node.labels.gpu==true)',
  },
  {
    name: 'not ready and wrong arch',
    nodes: [node('a', { ready: false }), node('b', { ready: false }), node('c', { arch: 'x86_64' })],
    request: { constraints: ['node.platform.arch==arm64'] },
    reason: 'no suitable node (2 nodes not ready, 1 node failed node.platform.arch==arm64)',
  },
  {
    name: 'the most common failure comes first',
    nodes: [node('a', { ready: false }), node('b'), node('c'), node('d')],
    request: { constraints: ['node.labels.gpu==true'] },
    reason: 'no suitable node (3 nodes failed node.labels.gpu==true, 1 node not ready)',
  },
  {
    name: 'each node names the first constraint it fails',
    nodes: [node('a', { labels: { gpu: 'true' }, arch: 'x86_64' }), node('b'), node('c', { arch: 'x86_64' })],
    request: { constraints: ['node.labels.gpu==true', 'node.platform.arch!=x86_64'] },
    reason: 'no suitable node (2 nodes failed node.labels.gpu==true, 1 node failed node.platform.arch!=x86_64)',
  },
  {
    name: 'image built for another platform',
    nodes: [node('a', { arch: 'armv7l' })],
    request: { platforms: [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64' }] },
    reason: 'no suitable node (unsupported platform on 1 node)',
  },
  {
    name: 'no room',
    nodes: ['a', 'b', 'c', 'd'].map((id) => node(id, { reserved: { cpus: 3.5, memoryBytes: 0, gpus: 0 } })),
    request: { reservations: { cpus: 1, memoryBytes: 0, gpus: 0 } },
    reason: 'no suitable node (insufficient resources on 4 nodes)',
  },
  {
    name: 'replica limit reached',
    nodes: [node('a', { tasksByService: { web: 2 } })],
    request: { maxReplicasPerNode: 2 },
    reason: 'no suitable node (max replicas per node limit exceed)',
  },
  {
    name: 'a node counts only for the first filter it fails, in filter order',
    nodes: [
      node('a', { ready: false, availability: 'drain', drivers: [] }),
      node('b', { availability: 'drain', drivers: [] }),
      node('c', { drivers: [], arch: 'x86_64' }),
    ],
    request: { constraints: ['node.platform.arch==arm64'] },
    policy: heatPolicy({ a: 90, b: 90 }),
    reason: 'no suitable node (1 node not ready, 1 node drained, 1 node cannot run docker tasks)',
  },
];

describe('pending reasons', () => {
  it.each(pendingCases)('$name', ({ nodes, request, policy, reason }) => {
    const result = scheduleTasks(tasks('web', 2, request), nodes, policy);
    expect(result.placements.size).toBe(0);
    expect(result.pending).toEqual(
      new Map([
        ['web.1', reason],
        ['web.2', reason],
      ]),
    );
  });

  it('one policy reason per node when several boards are hot', () => {
    const result = scheduleTasks(tasks('web', 1), [node('a'), node('b'), node('c')], heatPolicy({ a: 80, b: 80, c: 91.5 }));
    expect(result.pending.get('web.1')).toBe(
      'no suitable node (node too hot: 80.0 C >= 75 C (2 nodes), node too hot: 91.5 C >= 75 C)',
    );
  });

  it('explains a task that placed some replicas and ran out of room', () => {
    const nodes = [node('a', { capacity: { cpus: 2, memoryBytes: GiB, gpus: 0 } }), node('b', { ready: false })];
    const result = scheduleTasks(tasks('web', 3, { reservations: { cpus: 1, memoryBytes: 0, gpus: 0 } }), nodes);
    expect([...result.placements.values()]).toEqual(['a', 'a']);
    expect(result.pending.get('web.3')).toBe('no suitable node (1 node not ready, insufficient resources on 1 node)');
  });

  it('turns a malformed request into a pending task naming the field', () => {
    const result = scheduleTasks(tasks('web', 1, { reservations: { cpus: -1, memoryBytes: 0, gpus: 0 } }), [node('a')]);
    expect(result.pending.get('web.1')).toBe(
      'invalid placement request for task web.1: reservations.cpus must be a number >= 0 (got -1)',
    );
  });
});

describe('filters that pass', () => {
  it('places only on nodes that satisfy every constraint', () => {
    const nodes = [
      node('pi', { labels: { zone: 'a' } }),
      node('orin', { labels: { gpu: 'true', zone: 'a' } }),
      node('x86', { arch: 'x86_64', labels: { gpu: 'true', zone: 'b' } }),
    ];
    const result = scheduleTasks(tasks('infer', 4, { constraints: ['node.labels.gpu==true', 'node.platform.arch==arm64'] }), nodes);
    expect(new Set(result.placements.values())).toEqual(new Set(['orin']));
    expect(result.pending.size).toBe(0);
  });

  it('matches image platforms by architecture alias', () => {
    const nodes = [node('pi', { arch: 'aarch64' }), node('box', { arch: 'x86_64' })];
    const result = scheduleTasks(tasks('web', 2, { platforms: [{ os: 'linux', arch: 'arm64' }] }), nodes);
    expect(new Set(result.placements.values())).toEqual(new Set(['pi']));
  });

  it('a 2-GPU reservation only fits a node with 2 free GPUs', () => {
    const nodes = [
      node('one-gpu', { capacity: { cpus: 8, memoryBytes: 16 * GiB, gpus: 1 } }),
      node('two-busy', { capacity: { cpus: 8, memoryBytes: 16 * GiB, gpus: 2 }, reserved: { cpus: 0, memoryBytes: 0, gpus: 1 } }),
      node('two-free', { capacity: { cpus: 8, memoryBytes: 16 * GiB, gpus: 2 }, load1: 7 }),
    ];
    const result = scheduleTasks(tasks('train', 2, { reservations: { cpus: 1, memoryBytes: GiB, gpus: 2 } }), nodes);
    expect(result.placements.get('train.1')).toBe('two-free');
    expect(result.pending.get('train.2')).toBe('no suitable node (insufficient resources on 3 nodes)');
  });

  it('counts fractional CPUs exactly: ten 0.1-core tasks fill one core', () => {
    const result = scheduleTasks(tasks('tiny', 11, { reservations: { cpus: 0.1, memoryBytes: 0, gpus: 0 } }), [
      node('a', { capacity: { cpus: 1, memoryBytes: GiB, gpus: 0 } }),
    ]);
    expect(result.placements.size).toBe(10);
    expect(result.pending.get('tiny.11')).toBe('no suitable node (insufficient resources on 1 node)');
  });

  it('checks memory reservations against what is left', () => {
    const nodes = [node('a', { capacity: { cpus: 4, memoryBytes: 4 * GiB, gpus: 0 }, reserved: { cpus: 0, memoryBytes: 3 * GiB, gpus: 0 } })];
    const fits = scheduleTasks(tasks('db', 1, { reservations: { cpus: 0, memoryBytes: GiB, gpus: 0 } }), nodes);
    const tooBig = scheduleTasks(tasks('db', 1, { reservations: { cpus: 0, memoryBytes: GiB + 1, gpus: 0 } }), nodes);
    expect(fits.placements.get('db.1')).toBe('a');
    expect(tooBig.pending.get('db.1')).toBe('no suitable node (insufficient resources on 1 node)');
  });

  it('max replicas per node caps each node, counting tasks already there', () => {
    const nodes = [node('a', { tasksByService: { web: 1 } }), node('b'), node('c', { ready: false })];
    const result = scheduleTasks(tasks('web', 4, { maxReplicasPerNode: 2 }), nodes);
    expect(countByNodeSorted(result.placements)).toEqual({ a: 1, b: 2 });
    expect(result.pending.get('web.4')).toBe('no suitable node (max replicas per node limit exceed, 1 node not ready)');
  });

  it('placements in one call count against later services', () => {
    const nodes = [node('a', { capacity: { cpus: 2, memoryBytes: GiB, gpus: 0 } })];
    const requests = [
      ...tasks('first', 2, { reservations: { cpus: 1, memoryBytes: 0, gpus: 0 } }),
      ...tasks('second', 1, { reservations: { cpus: 1, memoryBytes: 0, gpus: 0 } }),
    ];
    const result = scheduleTasks(requests, nodes);
    expect(result.placements.size).toBe(2);
    expect(result.pending.get('second.1')).toBe('no suitable node (insufficient resources on 1 node)');
  });

  it('a constraint on node.hostname tells identical boards apart', () => {
    const nodes = ['a', 'b', 'c'].map((id) => node(id));
    const result = scheduleTasks(tasks('pinned', 3, { constraints: ['node.hostname==host-b'] }), nodes);
    expect(new Set(result.placements.values())).toEqual(new Set(['b']));
    const byId = scheduleTasks(tasks('pinned', 1, { constraints: ['node.id!=a', 'node.id!=b'] }), nodes);
    expect(byId.placements.get('pinned.1')).toBe('c');
  });
});

describe('checkNode', () => {
  const [request] = tasks('web', 1, { constraints: ['node.labels.gpu==true'], reservations: { cpus: 8, memoryBytes: 0, gpus: 0 } });

  it.each([
    { name: 'fits', n: node('a', { labels: { gpu: 'true' }, capacity: { cpus: 8, memoryBytes: GiB, gpus: 0 } }), expected: null },
    { name: 'first failing filter wins', n: node('a', { ready: false }), expected: { filter: 'ready', detail: '' } },
    { name: 'names the constraint', n: node('a'), expected: { filter: 'constraints', detail: 'node.labels.gpu==true' } },
    { name: 'no room', n: node('a', { labels: { gpu: 'true' } }), expected: { filter: 'resources', detail: '' } },
  ])('$name', ({ n, expected }) => {
    expect(checkNode(request!, n)).toEqual(expected);
  });

  it('reports the policy refusal', () => {
    expect(checkNode(request!, node('a'), heatPolicy({ a: 80 }))).toEqual({ filter: 'policy', detail: 'node too hot: 80.0 C >= 75 C' });
  });
});

function countByNodeSorted(placements: Map<string, string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of [...placements.values()].sort()) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}
