import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness, spec } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

const nodesOf = (ref: string): string[] => h.live(ref).map((t) => t.nodeId ?? '-').sort();

describe('replicated services', () => {
  it('places replicas only on nodes matching node.labels.gpu==true and leaves the rest pending with a reason', () => {
    h.addNode('pi-1');
    h.addNode('jetson-1', { labels: { gpu: 'true' } });
    h.cluster.createService(spec('infer', { replicas: 2, placement: { constraints: ['node.labels.gpu==true'], preferences: [], maxReplicasPerNode: 1 } }));
    h.settle();
    const tasks = h.live('infer');
    expect(tasks).toHaveLength(2);
    const placed = tasks.filter((t) => t.state === 'assigned');
    expect(placed.map((t) => t.nodeId)).toEqual(['jetson-1']);
    const pending = tasks.find((t) => t.state === 'pending');
    expect(pending?.message).toMatch(/gpu==true|max/i);
    expect(h.lastSet('jetson-1')?.tasks.map((t) => t.id)).toEqual([placed[0]?.id]);
  });

  it('scales up into slots 1..N and down by removing the highest slots first', () => {
    h.addNode('a');
    h.addNode('b');
    const svc = h.cluster.createService(spec('web', { replicas: 3 }));
    h.settle();
    expect(h.live('web').map((t) => t.slot).sort()).toEqual([1, 2, 3]);
    h.cluster.scaleService(svc.name, 5);
    h.settle();
    expect(h.live('web').map((t) => t.slot).sort()).toEqual([1, 2, 3, 4, 5]);
    const kept = h.live('web').filter((t) => (t.slot ?? 0) <= 2).map((t) => t.id);
    h.cluster.scaleService(svc.id, 2);
    h.settle();
    expect(h.live('web').map((t) => t.id).sort()).toEqual(kept.sort());
    const stopped = h.cluster.listTasks({ service: 'web', desiredState: 'shutdown' });
    expect(stopped.map((t) => t.slot).sort()).toEqual([3, 4, 5]);
  });

  it('restarts a failed task after the delay with a new task id, up to max attempts in the window', () => {
    h.addNode('a');
    h.cluster.createService(spec('flaky', { restartPolicy: { condition: 'on-failure', delayMs: 2000, maxAttempts: 2, windowMs: 60_000 } }));
    h.settle();
    const first = h.live('flaky')[0];
    if (!first) throw new Error('no task');
    h.report('a', first.id, 'running');
    h.report('a', first.id, 'failed', 1);
    h.settle(1000);
    expect(h.live('flaky').map((t) => t.id)).toEqual([first.id]); // still inside the delay
    h.settle(1500);
    const second = h.live('flaky')[0];
    expect(second?.id).not.toBe(first.id);
    expect(second?.slot).toBe(1);
    expect(h.store.getTask(first.id)?.desiredState).toBe('shutdown'); // kept for history
    if (!second) throw new Error('no restart');
    h.report('a', second.id, 'failed', 1);
    h.settle(2500);
    const third = h.live('flaky')[0];
    expect(third && third.id !== second.id).toBe(true);
    if (!third) throw new Error('no restart');
    h.report('a', third.id, 'failed', 1);
    h.settle(5000);
    // two restarts used up: the failed third task keeps the slot and nothing new starts
    expect(h.live('flaky').map((t) => [t.id, t.state])).toEqual([[third.id, 'failed']]);
    expect(h.lastSet('a')?.tasks).toEqual([]);
  });

  it('does not restart a task that completed under on-failure', () => {
    h.addNode('a');
    h.cluster.createService(spec('job', { restartPolicy: { condition: 'on-failure', delayMs: 0, maxAttempts: 0, windowMs: 0 } }));
    h.settle();
    const t = h.live('job')[0];
    if (!t) throw new Error('no task');
    h.report('a', t.id, 'complete', 0);
    h.settle(1000);
    expect(h.live('job').map((x) => [x.id, x.state])).toEqual([[t.id, 'complete']]);
  });

  it('reschedules the tasks of a down node once it has been silent for the node timeout', () => {
    h.addNode('a');
    h.addNode('b');
    h.cluster.createService(spec('web', { replicas: 2 }));
    h.settle();
    h.runAll();
    expect(nodesOf('web')).toEqual(['a', 'b']);
    const onB = h.live('web').find((t) => t.nodeId === 'b');
    h.alive.delete('b');
    h.will('b');
    h.settle(1000);
    expect(h.store.getNode('b')?.status).toBe('down');
    expect(nodesOf('web')).toEqual(['a', 'b']); // not yet: within the node timeout
    h.settle(4500);
    expect(nodesOf('web')).toEqual(['a', 'a']);
    const old = h.store.getTask(onB?.id ?? '');
    expect(old?.desiredState).toBe('shutdown');
    expect(old?.message).toMatch(/node b-host is down/);
    expect(h.cluster.events().some((e) => e.kind === 'task.reschedule')).toBe(true);
  });

  it('drain starts the replacement first and stops the old task only once the new one runs', () => {
    h.addNode('a');
    h.cluster.createService(spec('web', { replicas: 1 }));
    h.settle();
    h.runAll();
    const old = h.live('web')[0];
    h.addNode('b');
    h.settle();
    h.cluster.updateNode('a', { availability: 'drain' });
    h.settle();
    const live = h.live('web');
    expect(live).toHaveLength(2);
    const next = live.find((t) => t.id !== old?.id);
    expect(next?.nodeId).toBe('b');
    expect(h.lastSet('a')?.tasks.map((t) => t.id)).toEqual([old?.id]); // old keeps running meanwhile
    h.report('b', next?.id ?? '', 'starting');
    h.settle();
    expect(h.live('web')).toHaveLength(2);
    h.report('b', next?.id ?? '', 'running');
    h.settle();
    expect(h.live('web').map((t) => t.id)).toEqual([next?.id]);
    expect(h.lastSet('a')?.tasks).toEqual([]);
  });

  it('moves a task when its node loses the label the constraint needs', () => {
    h.addNode('a');
    h.addNode('b');
    h.cluster.updateNode('a', { labelAdd: { gpu: 'true' } });
    h.cluster.createService(spec('infer', { placement: { constraints: ['node.labels.gpu==true'], preferences: [], maxReplicasPerNode: 0 } }));
    h.settle();
    h.runAll();
    expect(nodesOf('infer')).toEqual(['a']);
    h.cluster.updateNode('b', { labelAdd: { gpu: 'true' } });
    h.cluster.updateNode('a', { labelRm: ['gpu'] });
    h.settle();
    h.runAll('b');
    expect(nodesOf('infer')).toEqual(['b']);
  });

  it('update --force replaces every task and rebalances onto a node that joined later', () => {
    h.addNode('a');
    h.cluster.createService(spec('web', { replicas: 2, updateConfig: { parallelism: 0, delayMs: 0, order: 'stop-first', failureAction: 'pause', monitorMs: 0, maxFailureRatio: 0 } }));
    h.settle();
    h.runAll();
    const before = h.live('web').map((t) => t.id);
    h.addNode('b');
    h.settle();
    expect(nodesOf('web')).toEqual(['a', 'a']); // no automatic rebalancing when a node arrives
    h.cluster.updateService('web', { force: true });
    h.settle();
    const after = h.live('web');
    expect(after.map((t) => t.id).some((id) => before.includes(id))).toBe(false);
    expect(nodesOf('web')).toEqual(['a', 'b']);
  });

  it('a spec change with parallelism 1 start-first replaces one slot at a time', () => {
    h.addNode('a');
    h.cluster.createService(spec('web', { replicas: 2, updateConfig: { parallelism: 1, delayMs: 0, order: 'start-first', failureAction: 'pause', monitorMs: 0, maxFailureRatio: 0 } }));
    h.settle();
    h.runAll();
    const svc = h.cluster.getService('web');
    h.cluster.updateService('web', { spec: { ...svc.spec, env: { MODE: 'v2' } } });
    h.settle();
    expect(h.live('web')).toHaveLength(3); // one new task beside the two old ones
    h.runAll();
    h.settle();
    h.runAll();
    const live = h.live('web');
    expect(live).toHaveLength(2);
    expect(live.every((t) => t.spec.env.MODE === 'v2')).toBe(true);
  });

  it('removing a service shuts all its tasks down', () => {
    h.addNode('a');
    h.cluster.createService(spec('web', { replicas: 2 }));
    h.settle();
    h.runAll();
    h.cluster.removeService('web');
    h.settle();
    expect(h.store.listTasks({ desiredState: 'running' })).toEqual([]);
    expect(h.lastSet('a')?.tasks).toEqual([]);
  });
});

describe('global services', () => {
  it('runs one task per eligible node and follows the node set', () => {
    h.addNode('a');
    h.addNode('b', { arch: 'x86_64' });
    h.cluster.createService(spec('exporter', { mode: 'global', placement: { constraints: ['node.platform.arch==arm64'], preferences: [], maxReplicasPerNode: 0 } }));
    h.settle();
    expect(nodesOf('exporter')).toEqual(['a']);
    h.addNode('c');
    h.settle();
    expect(nodesOf('exporter')).toEqual(['a', 'c']);
    expect(h.live('exporter').every((t) => t.state === 'assigned' && t.slot === null)).toBe(true);
    h.cluster.updateNode('c', { availability: 'drain' });
    h.settle();
    expect(nodesOf('exporter')).toEqual(['a']);
  });
});
