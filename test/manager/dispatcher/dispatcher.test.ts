import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/logger.js';
import { Dispatcher } from '../../../manager/dispatcher/dispatcher.js';
import type { DesiredTaskSet } from '../../../shared/payloads/tasks.js';
import { MAX_DESIRED_SET_BYTES } from '../../../shared/wire.js';
import { Harness, spec } from '../orchestrator/harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

describe('Dispatcher desired sets', () => {
  it('publishes an empty set for a new node, then a higher generation each time the set changes', () => {
    h.addNode('a', { gpus: [0, 1].map((i) => ({ vendor: 'nvidia' as const, model: 'T4', memoryBytes: 16e9, uuid: `gpu-${i}` })) });
    expect(h.lastSet('a')).toMatchObject({ v: 1, nodeId: 'a', generation: 1, tasks: [] });
    h.cluster.createService(spec('web', { replicas: 2, env: { A: '1' }, resources: { limits: { cpus: 0.5, memoryBytes: 64 * 1024 ** 2 }, reservations: { cpus: null, memoryBytes: null, gpus: 1 } } }));
    h.settle();
    const set = h.lastSet('a');
    expect(set?.generation).toBe(2);
    expect(set?.tasks).toHaveLength(2);
    expect(set?.tasks[0]).toMatchObject({ serviceName: 'web', image: 'kelvin-test/busybox:latest', env: { A: '1' }, resources: { cpus: 0.5, memoryBytes: 64 * 1024 ** 2, gpus: 1 }, throttle: null });
    const count = h.published.length;
    const t = h.live('web')[0];
    h.report('a', t?.id ?? '', 'running'); // status only: the set's content is unchanged
    h.settle();
    expect(h.published.length).toBe(count);
    h.cluster.scaleService('web', 1);
    h.settle();
    expect(h.lastSet('a')).toMatchObject({ generation: 3 });
    expect(h.lastSet('a')?.tasks).toHaveLength(1);
  });

  it('republishes every set on start under the same generation when nothing changed, under a new incarnation', () => {
    h.addNode('a');
    h.cluster.createService(spec('web'));
    h.settle();
    const before = h.lastSet('a');
    expect(before?.incarnation).toBe(h.dispatcher.incarnation);
    const out: DesiredTaskSet[] = [];
    const restarted = new Dispatcher({ store: h.store, clock: h.clock, logger: silentLogger(), publish: async (_t, p) => void out.push(JSON.parse(p.toString()) as DesiredTaskSet) });
    restarted.start();
    restarted.stop();
    expect(restarted.incarnation).not.toBe(h.dispatcher.incarnation);
    expect(out).toEqual([{ ...before, incarnation: restarted.incarnation }]);
  });

  it('says once, with an event, when a node had applied a later generation than a restored database knows', () => {
    h.addNode('a');
    h.cluster.createService(spec('web'));
    h.settle();
    const [task] = h.live('web');
    const known = h.lastSet('a')?.generation ?? 0;
    const report = { v: 1 as const, taskId: task?.id ?? '', generation: known + 10, incarnation: 'an-older-start', state: 'running' as const, exitCode: null, signal: null, error: null, message: '', runtimeId: '1', throttled: false, ts: 1, startedAt: 1, finishedAt: null };
    h.dispatcher.handle({ scope: 'node', nodeId: 'a', kind: 'task-status', payload: report });
    h.dispatcher.handle({ scope: 'node', nodeId: 'a', kind: 'task-status', payload: report });
    const rewound = h.store.listEvents().filter((e) => e.kind === 'node.desired-set-rewound');
    expect(rewound).toHaveLength(1);
    expect(rewound[0]?.message).toContain(`had applied generation ${known + 10} of an earlier manager incarnation, but this database knows only generation ${known}`);
  });

  it('tells a node removed with --force that it was removed, in a last retained set, and revokes it', () => {
    h.addNode('a');
    h.cluster.createService(spec('web'));
    h.settle();
    const gen = h.lastSet('a')?.generation ?? 0;
    h.cluster.removeNode('a', { force: true });
    expect(h.published.at(-1)?.set).toEqual({ v: 1, nodeId: 'a', incarnation: h.dispatcher.incarnation, generation: gen + 1, tasks: [], removed: true });
    expect(h.store.revocationOf('a')).toBe('kelvin node rm --force');
  });

  it('keeps the generation growing when a removed node rejoins under the same id', () => {
    h.addNode('a');
    h.cluster.createService(spec('web'));
    h.settle();
    const gen = h.lastSet('a')?.generation ?? 0;
    h.alive.delete('a');
    h.will('a');
    h.cluster.removeNode('a');
    expect(h.published.at(-1)).toEqual({ topic: 'kelvin/v1/nodes/a/tasks', set: null }); // retained set cleared
    h.settle(); // the orchestrator takes the task off the removed node
    h.addNode('a');
    expect(h.lastSet('a')).toMatchObject({ generation: gen + 1, tasks: [] });
    h.settle();
    expect(h.lastSet('a')?.generation).toBe(gen + 2);
    expect(h.lastSet('a')?.tasks).toHaveLength(1);
  });
  /** About 60 KiB a task, within every per-field limit: some 17 fill one node's desired set. */
  const bulky = { A: 'a'.repeat(30_000), B: 'b'.repeat(30_000) };
  const setBytes = (nodeId: string): number => Buffer.byteLength(JSON.stringify(h.lastSet(nodeId)));

  it('places the tasks that would overflow a node\'s desired set elsewhere, or leaves them pending saying why', () => {
    h.addNode('a');
    h.cluster.createService(spec('web', { replicas: 30, env: bulky }));
    h.settle();
    const onA = h.live('web').filter((t) => t.nodeId === 'a');
    expect(onA.length).toBeGreaterThan(10);
    expect(h.lastSet('a')?.tasks).toHaveLength(onA.length); // delivered, not frozen
    expect(setBytes('a')).toBeLessThanOrEqual(MAX_DESIRED_SET_BYTES);
    const pending = h.live('web').filter((t) => t.state === 'pending');
    expect(pending).toHaveLength(30 - onA.length);
    expect(pending[0]?.message).toBe(`no suitable node (desired set full on 1 node (${MAX_DESIRED_SET_BYTES} bytes each))`);
    h.addNode('b'); // room elsewhere: the rest goes there
    h.settle();
    expect(h.live('web').filter((t) => t.nodeId === 'b')).toHaveLength(30 - onA.length);
    h.cluster.createService(spec('small', { placement: { constraints: ['node.id==a'], preferences: [], maxReplicasPerNode: 0 } })); // a full node still takes changes
    h.cluster.scaleService('web', 2);
    h.settle();
    expect(h.lastSet('a')?.tasks.map((t) => t.serviceName).sort()).toContain('small');
    expect(h.lastSet('a')?.tasks.filter((t) => t.serviceName === 'web').length).toBeLessThanOrEqual(2);
    expect(h.store.listEvents().filter((e) => e.kind === 'node.desired-set-too-large')).toEqual([]);
  });

  it('cuts a set that is over the size limit anyway to its oldest tasks, records one event, and still delivers removals', () => {
    h.addNode('a');
    h.cluster.createService(spec('web', { replicas: 40, env: bulky }));
    h.settle();
    const fitting = h.lastSet('a')?.tasks.map((t) => t.id) ?? [];
    // Tasks placed on the node behind the scheduler's back (say, by an older manager).
    h.store.transaction(() => {
      for (const t of h.live('web').filter((x) => x.state === 'pending')) h.store.updateTask(t.id, { nodeId: 'a', state: 'assigned' });
    });
    h.settle();
    expect(h.lastSet('a')?.tasks.map((t) => t.id)).toEqual(fitting); // the oldest that fit, not nothing
    expect(setBytes('a')).toBeLessThanOrEqual(MAX_DESIRED_SET_BYTES);
    h.cluster.createService(spec('more')); // the set changes again while still too big: no second event
    h.settle();
    const events = h.store.listEvents().filter((e) => e.kind === 'node.desired-set-too-large');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ subject: 'a', details: { sent: fitting.length, heldBack: 40 - fitting.length, limit: MAX_DESIRED_SET_BYTES } });
    expect(events[0]?.message).toMatch(/node a is over the \d+-byte limit: sent its \d+ oldest tasks, held back the \d+ newest/);
    h.cluster.scaleService('web', 1); // removals still reach the node
    h.settle();
    expect(h.lastSet('a')?.tasks.map((t) => t.serviceName).sort()).toEqual(['more', 'web']);
  });
});

describe('Dispatcher task status', () => {
  function placedTask(): { id: string } {
    h.addNode('a');
    h.addNode('b');
    h.cluster.createService(spec('web', { replicas: 1 }));
    h.settle();
    const t = h.live('web')[0];
    if (!t?.nodeId) throw new Error('not placed');
    return { id: t.id };
  }

  it('records state, exit code and times from the node the task is assigned to', () => {
    const { id } = placedTask();
    const node = h.store.getTask(id)?.nodeId ?? '';
    h.report(node, id, 'starting');
    h.report(node, id, 'running');
    expect(h.store.getTask(id)).toMatchObject({ state: 'running', runtimeId: 'c1', startedAt: h.clock.now() });
    h.report(node, id, 'failed', 137);
    expect(h.store.getTask(id)).toMatchObject({ state: 'failed', exitCode: 137, error: 'exited', finishedAt: h.clock.now() });
    expect(h.cluster.events().some((e) => e.kind === 'task.failed' && e.message.includes('exited'))).toBe(true);
  });

  it('ignores reports from another node, backwards moves and anything after a terminal state', () => {
    const { id } = placedTask();
    const node = h.store.getTask(id)?.nodeId ?? '';
    const other = node === 'a' ? 'b' : 'a';
    h.report(other, id, 'running');
    expect(h.store.getTask(id)?.state).toBe('assigned');
    h.report(node, id, 'running');
    h.report(node, id, 'starting');
    expect(h.store.getTask(id)?.state).toBe('running');
    h.report(node, id, 'complete', 0);
    h.report(node, id, 'running');
    h.report(node, id, 'failed', 1);
    expect(h.store.getTask(id)).toMatchObject({ state: 'complete', exitCode: 0 });
  });
});
