/**
 * Bulk work in bounded steps (reconcile.ts DEFAULT_TASK_BUDGET) and the cluster-wide task cap
 * (shared/limits.ts), on the real store, orchestrator and scheduler with a manual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TASK_BUDGET } from '../../../manager/orchestrator/reconcile.js';
import { MAX_CLUSTER_TASKS } from '../../../shared/limits.js';
import { Harness, spec } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

describe('orchestration in bounded steps', () => {
  it('creates, shuts down and forgets thousands of tasks a budget at a time, one pass after another', () => {
    const replicas = 2 * DEFAULT_TASK_BUDGET + 500;
    h.cluster.createService(spec('big', { replicas }));
    h.orchestrator.runPass();
    expect(h.live('big')).toHaveLength(DEFAULT_TASK_BUDGET); // one pass did one step...
    h.settle(200); // ...and the next passes follow by themselves
    expect(h.live('big')).toHaveLength(replicas);
    expect(h.live('big').every((t) => t.message === 'no suitable node (no nodes)')).toBe(true);
    h.cluster.scaleService('big', 0);
    h.orchestrator.runPass();
    expect(h.live('big')).toHaveLength(replicas - DEFAULT_TASK_BUDGET);
    h.settle(200);
    expect(h.live('big')).toHaveLength(0);
  });

  it('places a budget of tasks a pass, never starving a small service behind a big one', () => {
    h.addNode('a');
    h.cluster.createService(spec('big', { replicas: DEFAULT_TASK_BUDGET + 10, placement: { constraints: ['node.labels.never==true'], preferences: [], maxReplicasPerNode: 0 } }));
    h.settle(200);
    h.cluster.createService(spec('small'));
    h.settle(100);
    expect(h.live('small')[0]).toMatchObject({ nodeId: 'a', state: 'assigned' });
  });
});

describe('the cluster-wide task cap', () => {
  it('counts every service at create, scale and update, and global services once per node', () => {
    h.cluster.createService(spec('a', { replicas: 60_000 }));
    expect(() => h.cluster.createService(spec('b', { replicas: 50_000 }))).toThrow(
      `replicas: service b (50000 replicas) would bring the cluster to 110000 tasks, over the cluster-wide limit of ${MAX_CLUSTER_TASKS} (60000 in other services)`,
    );
    h.cluster.createService(spec('b', { replicas: 40_000 }));
    expect(() => h.cluster.scaleService('b', 40_001)).toThrow(/^replicas: service b .* 100001 tasks/);
    h.cluster.scaleService('a', 10); // going down is always allowed
    h.cluster.scaleService('b', 40_001);
    h.addNode('n1');
    h.addNode('n2');
    h.cluster.scaleService('b', MAX_CLUSTER_TASKS - 10 - 1);
    expect(() => h.cluster.createService(spec('g', { mode: 'global' }))).toThrow(/^mode: service g \(one task on each of 2 nodes\) would bring the cluster to 100001 tasks/);
  });
});
