import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterError } from '../../manager/cluster.js';
import { Harness, spec } from './orchestrator/harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ClusterError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

describe('Cluster facade', () => {
  it('resolves nodes by id, hostname or unique id prefix, as Docker does', () => {
    h.addNode('pi-10');
    h.addNode('pi-11');
    expect(h.cluster.getNode('pi-11').id).toBe('pi-11');
    expect(h.cluster.getNode('pi-10-host').id).toBe('pi-10');
    expect(codeOf(() => h.cluster.getNode('pi-1'))).toBe('ambiguous: node \'pi-1\' is ambiguous: matches pi-10, pi-11');
    expect(codeOf(() => h.cluster.getNode('nope'))).toBe("not-found: node 'nope' not found");
  });

  it('validates service specs with one clear message naming the problem', () => {
    expect(codeOf(() => h.cluster.createService(spec('x', { placement: { constraints: ['node.labels.gpu=true'], preferences: [], maxReplicasPerNode: 0 } })))).toMatch(/^invalid: .*gpu=true/);
    expect(codeOf(() => h.cluster.createService({ ...spec('x'), replicas: -1 }))).toMatch(/^invalid: invalid service spec at replicas/);
    expect(codeOf(() => h.cluster.createService(spec('x', { image: null })))).toMatch(/needs an image/);
    h.cluster.createService(spec('web'));
    expect(codeOf(() => h.cluster.createService(spec('web')))).toBe("conflict: service 'web' already exists");
    expect(codeOf(() => h.cluster.updateService('web', { spec: spec('api') }))).toMatch(/cannot be renamed/);
    expect(codeOf(() => h.cluster.scaleService('web', 1.5))).toMatch(/whole number/);
  });

  it('refuses to remove a ready node unless forced, and rejects unknown manager labels', () => {
    h.addNode('pi-1');
    expect(codeOf(() => h.cluster.removeNode('pi-1'))).toMatch(/^conflict: node pi-1-host is ready/);
    expect(codeOf(() => h.cluster.updateNode('pi-1', { labelRm: ['zone'] }))).toMatch(/has no label 'zone'/);
    h.cluster.removeNode('pi-1', { force: true });
    expect(h.cluster.listNodes()).toEqual([]);
  });

  it('rotates the join token and records the change as an event', () => {
    const before = h.cluster.joinToken();
    const after = h.cluster.rotateJoinToken().joinToken;
    expect(after).not.toBe(before);
    expect(h.cluster.joinToken()).toBe(after);
    expect(h.cluster.events().map((e) => e.kind)).toContain('cluster.join-token-rotate');
  });

  it('rotating with prune removes the nodes that never became ready and keeps the rest', () => {
    h.store.registerNode('worked', { secretHash: 'sha256:a', mosquittoHash: null }, 'worker');
    h.store.updateNode('worked', { status: 'down', lastSeenAt: h.clock.now() });
    h.store.registerNode('never', { secretHash: 'sha256:b', mosquittoHash: null }, 'worker');
    expect(h.cluster.rotateJoinToken().pruned).toEqual([]);
    const { pruned } = h.cluster.rotateJoinToken({ prune: true });
    expect(pruned).toEqual(['never']);
    expect(h.cluster.listNodes().map((n) => n.id)).toEqual(['worked']);
    expect(h.cluster.events().find((e) => e.subject === 'never' && e.kind === 'node.remove')?.message).toMatch(/never became ready/);
  });

  it('streams committed changes to subscribers until they unsubscribe', () => {
    const kinds: string[] = [];
    const off = h.cluster.subscribe((changes) => kinds.push(...changes.map((c) => `${c.kind}.${c.op}`)));
    h.cluster.createService(spec('web'));
    off();
    h.cluster.createService(spec('api'));
    expect(kinds).toEqual(['service.create', 'event.create']);
  });
});
