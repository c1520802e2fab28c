/**
 * Rolling updates through the real orchestrator, store and scheduler with a manual clock: batches,
 * delay, monitor, failure ratio and actions, rollback, and a manager restart mid-update.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultServiceSpec, type UpdateConfig } from '../../../shared/service-spec.js';
import { applyStack } from '../../../manager/api/stacks.js';
import { updateAlertOf } from '../../../manager/orchestrator/update-events.js';
import type { Change, TaskRecord } from '../../../manager/store/records.js';
import { Harness, spec } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
  h.addNode('a');
  h.addNode('b');
});
afterEach(() => h.close());

const config = (over: Partial<UpdateConfig>): UpdateConfig => ({ ...defaultServiceSpec('x').updateConfig, ...over });

/** The boards converge: assigned tasks start running, tasks told to stop report shutdown. */
function converge(): void {
  for (const t of h.store.listTasks()) {
    if (!t.nodeId) continue;
    if (t.desiredState === 'shutdown' && !['shutdown', 'failed', 'complete', 'rejected', 'pending'].includes(t.state)) h.report(t.nodeId, t.id, 'shutdown');
    else if (t.desiredState === 'running' && t.state === 'assigned') h.report(t.nodeId, t.id, 'running');
  }
  h.settle();
}

const running = (): TaskRecord[] => h.store.listTasks().filter((t) => t.serviceName === 'web' && t.state === 'running');
const envOf = (t: TaskRecord): string | undefined => t.spec.env.V;
const status = () => h.cluster.getService('web').updateStatus;

function deploy(replicas: number, updateConfig: UpdateConfig): void {
  h.cluster.createService(spec('web', { replicas, env: { V: '1' }, updateConfig }));
  h.settle();
  converge();
  expect(running()).toHaveLength(replicas);
}

function updateEnv(v: string): void {
  const svc = h.cluster.getService('web');
  h.cluster.updateService('web', { spec: { ...svc.spec, env: { V: v } } });
  h.settle();
}

/** Lets time pass in steps, the boards converging at each, and records the fewest running tasks seen. */
function run(ms: number, step = 250): { fewest: number } {
  let fewest = Number.MAX_SAFE_INTEGER;
  for (let t = 0; t < ms; t += step) {
    converge();
    fewest = Math.min(fewest, running().length);
    h.settle(step);
  }
  return { fewest };
}

describe('rolling update', () => {
  it('parallelism 1, delay 2s: one slot at a time, never below replicas - 1, and the delays are kept', () => {
    deploy(4, config({ parallelism: 1, delayMs: 2000, monitorMs: 1000 }));
    const started = h.clock.now();
    updateEnv('2');
    expect(h.live('web').filter((t) => envOf(t) === '2')).toHaveLength(1);
    const { fewest } = run(3000);
    // Slot 1 ran through its 1 s monitor, then the 2 s delay: slot 2 is the only other one replaced by now.
    expect(h.live('web').filter((t) => envOf(t) === '2').length).toBeLessThanOrEqual(2);
    const rest = run(15_000);
    expect(Math.min(fewest, rest.fewest)).toBeGreaterThanOrEqual(3);
    expect(running().every((t) => envOf(t) === '2')).toBe(true);
    expect(status()).toMatchObject({ state: 'completed', failures: 0, total: 4 });
    expect((status()?.completedAt ?? 0) - started).toBeGreaterThanOrEqual(4 * 1000 + 3 * 2000);
    expect(h.cluster.events().map((e) => e.kind)).toEqual(expect.arrayContaining(['service.update.updating', 'service.update.completed']));
  });

  it('parallelism 0 replaces every slot in one batch', () => {
    deploy(3, config({ parallelism: 0, monitorMs: 0 }));
    updateEnv('2');
    expect(h.live('web').every((t) => envOf(t) === '2')).toBe(true);
    run(1000);
    expect(status()?.state).toBe('completed');
  });

  it('a new task that fails within monitor pauses the update after the first batch; the other replicas are untouched', () => {
    deploy(4, config({ parallelism: 1, monitorMs: 5000 }));
    const before = h.live('web').filter((t) => t.slot !== 1).map((t) => t.id);
    updateEnv('bad');
    converge();
    const fresh = h.live('web').find((t) => envOf(t) === 'bad');
    if (!fresh?.nodeId) throw new Error('no new task placed');
    h.report(fresh.nodeId, fresh.id, 'failed', 1);
    run(10_000);
    expect(status()).toMatchObject({ state: 'paused', failures: 1 });
    expect(status()?.message).toMatch(new RegExp(`update paused due to failure or early termination of task ${fresh.id} failed`));
    expect(h.live('web').filter((t) => t.slot !== 1).map((t) => t.id)).toEqual(before);
    expect(h.cluster.events().map((e) => e.kind)).toContain('service.update.paused');
    // service rollback replaces the failed slot at once, not after the 5 s restart delay.
    h.cluster.rollbackService('web');
    h.settle();
    expect(h.live('web').find((t) => t.slot === 1)?.spec.env).toEqual({ V: '1' });
    expect(status()).toMatchObject({ state: 'rollback_started', total: 1 });
  });

  it('a task that fails after its monitor window is not an update failure', () => {
    deploy(2, config({ parallelism: 1, monitorMs: 1000 }));
    updateEnv('2');
    run(1500);
    const first = h.live('web').find((t) => envOf(t) === '2' && t.state === 'running');
    if (!first?.nodeId) throw new Error('no new task running');
    h.report(first.nodeId, first.id, 'failed', 1);
    run(10_000);
    expect(status()).toMatchObject({ state: 'completed', failures: 0 });
  });

  it('max_failure_ratio tolerates failures up to the ratio, then pauses', () => {
    deploy(4, config({ parallelism: 1, monitorMs: 5000, maxFailureRatio: 0.3 }));
    updateEnv('2');
    const failNew = (): void => {
      converge();
      const t = h.live('web').find((x) => envOf(x) === '2' && x.state === 'running' && !failed.has(x.id));
      if (!t?.nodeId) throw new Error('no new task running');
      failed.add(t.id);
      h.report(t.nodeId, t.id, 'failed', 1);
      h.settle();
    };
    const failed = new Set<string>();
    failNew();
    expect(status()).toMatchObject({ state: 'updating', failures: 1 }); // 1 of 4 = 0.25 <= 0.3
    run(1000);
    expect(h.live('web').filter((t) => envOf(t) === '2').length).toBeGreaterThanOrEqual(2); // went on to the next batch
    failNew();
    expect(status()).toMatchObject({ state: 'paused', failures: 2 }); // 2 of 4 = 0.5 > 0.3
  });

  it('failure_action rollback returns to the previous spec, rolled out, and raises service.rolled-back', () => {
    deploy(3, config({ parallelism: 1, monitorMs: 1000, failureAction: 'rollback' }));
    const alerts: string[] = [];
    h.store.on('change', (changes: Change[]) => {
      for (const c of changes) {
        const alert = updateAlertOf(c, h.clock.now());
        if (alert) alerts.push(alert.kind);
      }
    });
    updateEnv('bad');
    converge();
    const fresh = h.live('web').find((t) => envOf(t) === 'bad');
    if (!fresh?.nodeId) throw new Error('no new task placed');
    h.report(fresh.nodeId, fresh.id, 'failed', 1);
    h.settle();
    expect(h.cluster.events().map((e) => e.kind)).toContain('service.update.rollback_started');
    expect(h.cluster.getService('web').spec.env).toEqual({ V: '1' });
    run(10_000);
    expect(status()).toMatchObject({ state: 'rollback_completed' });
    expect(status()?.message).toBe('rollback completed');
    expect(running().map(envOf)).toEqual(['1', '1', '1']);
    expect(alerts).toEqual(['service.rolled-back']);
  });

  it('failure_action rollback onto a port another service took since pauses the update instead, saying why', () => {
    const port = (published: number) => [{ published, target: 80, protocol: 'tcp' as const, mode: 'ingress' as const }];
    h.cluster.createService(spec('web', { replicas: 2, ports: port(8080), updateConfig: config({ parallelism: 1, monitorMs: 1000, failureAction: 'rollback' }) }));
    h.settle();
    converge();
    h.cluster.updateService('web', { spec: { ...h.cluster.getService('web').spec, ports: port(8081) } });
    h.cluster.createService(spec('other', { ports: port(8080) }));
    h.settle();
    converge();
    const fresh = h.live('web').find((t) => t.spec.ports?.[0]?.published === 8081);
    if (!fresh?.nodeId) throw new Error('no new task placed');
    h.report(fresh.nodeId, fresh.id, 'failed', 1);
    h.settle();
    expect(status()).toMatchObject({
      state: 'paused',
      message: "update paused: cannot roll back: service web: published port 8080/tcp is already in use by service 'other' as an ingress port",
    });
    expect(h.cluster.getService('web').spec.ports).toEqual(port(8081));
    expect(h.cluster.getService('other').spec.ports).toEqual(port(8080));
  });

  it('service rollback restores the previous env in batches, and a second rollback goes forward again', () => {
    deploy(2, config({ parallelism: 1, monitorMs: 500 }));
    updateEnv('2');
    run(5000);
    expect(status()?.state).toBe('completed');
    h.cluster.rollbackService('web');
    h.settle();
    expect(h.live('web').filter((t) => envOf(t) === '1')).toHaveLength(1); // rollback_config parallelism 1
    run(5000);
    expect(status()?.state).toBe('rollback_started'); // Swarm's default rollback monitor: 5 s a slot
    run(10_000);
    expect(status()).toMatchObject({ state: 'rollback_completed', message: 'rollback completed' });
    expect(running().map(envOf)).toEqual(['1', '1']);
    h.cluster.rollbackService('web');
    run(15_000);
    expect(running().map(envOf)).toEqual(['2', '2']);
  });

  it('start-first starts the new task and stops the old one only once the new one runs', () => {
    deploy(2, config({ parallelism: 1, monitorMs: 500, order: 'start-first' }));
    updateEnv('2');
    expect(h.live('web')).toHaveLength(3);
    converge(); // the new task runs; the old one is told to stop
    expect(running().length).toBeGreaterThanOrEqual(2);
    run(5000);
    expect(running().map(envOf)).toEqual(['2', '2']);
  });

  it('a manager restart mid-update resumes it without redoing the finished batch', () => {
    deploy(4, config({ parallelism: 2, monitorMs: 1000, delayMs: 1000 }));
    updateEnv('2');
    run(1500);
    const done = h.live('web').filter((t) => envOf(t) === '2').map((t) => t.id);
    expect(done).toHaveLength(2);
    h.restartManager(1000);
    run(8000);
    const live = h.live('web');
    expect(live.map(envOf)).toEqual(['2', '2', '2', '2']);
    expect(live.map((t) => t.id)).toEqual(expect.arrayContaining(done));
    expect(status()?.state).toBe('completed');
  });

  it('a new task moved off a hot node is not counted as a failure', () => {
    deploy(2, config({ parallelism: 1, monitorMs: 5000 }));
    updateEnv('2');
    converge();
    const fresh = h.live('web').find((t) => envOf(t) === '2');
    if (!fresh?.nodeId) throw new Error('no new task placed');
    h.orchestrator.evacuate(fresh.nodeId, 'node is hot');
    run(2000);
    h.orchestrator.endEvacuation(fresh.nodeId);
    run(15_000);
    expect(status()).toMatchObject({ state: 'completed', failures: 0 });
  });

  it('a stack deploy of a changed file rolls out the changed service only; the unchanged keep their task ids', () => {
    const stackSpec = (name: string, v: string) => spec(`edge_${name}`, { stack: 'edge', replicas: 2, env: { V: v }, updateConfig: config({ monitorMs: 1000 }) });
    const deployStack = (v: string) => applyStack(h.cluster, (fn) => h.store.transaction(fn), 'edge', [stackSpec('api', v), stackSpec('db', '1')]);
    deployStack('1');
    h.settle();
    converge();
    const dbTasks = h.live('edge_db').map((t) => t.id);
    expect(deployStack('2')).toEqual({ created: [], updated: ['edge_api'], removed: [], unchanged: ['edge_db'], kept: [] });
    h.settle();
    expect(h.live('edge_api').filter((t) => t.spec.env.V === '2')).toHaveLength(1); // parallelism 1: one slot first
    run(10_000);
    expect(h.live('edge_api').map((t) => t.spec.env.V)).toEqual(['2', '2']);
    expect(h.cluster.getService('edge_api').updateStatus?.state).toBe('completed');
    expect(h.live('edge_db').map((t) => t.id)).toEqual(dbTasks);
    expect(h.cluster.getService('edge_db').updateStatus).toBeNull();
  });

  it('a scale in the middle of an update keeps the batch in flight: still one slot at a time', () => {
    deploy(4, config({ parallelism: 1, monitorMs: 2000 }));
    updateEnv('2');
    converge();
    expect(h.live('web').filter((t) => envOf(t) === '2').map((t) => t.slot)).toEqual([1]);
    h.cluster.scaleService('web', 5);
    h.settle();
    converge();
    const replaced = (): number[] => h.live('web').filter((t) => envOf(t) === '2' && (t.slot ?? 0) <= 4).map((t) => t.slot ?? 0);
    expect(replaced()).toEqual([1]); // slot 1 still within its monitor window: no second slot yet
    run(15_000);
    expect(h.live('web').map(envOf)).toEqual(['2', '2', '2', '2', '2']);
    expect(status()?.state).toBe('completed');
  });

  it('a global service rolls out node by node', () => {
    h.cluster.createService(spec('web', { mode: 'global', env: { V: '1' }, updateConfig: config({ parallelism: 1, monitorMs: 1000 }) }));
    h.settle();
    converge();
    expect(running()).toHaveLength(2);
    updateEnv('2');
    converge();
    expect(h.live('web').filter((t) => envOf(t) === '2')).toHaveLength(1);
    run(500);
    expect(h.live('web').filter((t) => envOf(t) === '2')).toHaveLength(1); // the first node's new task is within its monitor window
    run(5000);
    expect(running().map(envOf)).toEqual(['2', '2']);
    expect(status()).toMatchObject({ state: 'completed', total: 2 });
  });

  it('start-first with a health check stops the old task only once the new one is healthy; unhealthy within monitor is a failure', () => {
    deploy(1, config({ monitorMs: 5000, order: 'start-first' }));
    const old = h.live('web')[0];
    updateEnv('2');
    const fresh = h.live('web').find((t) => envOf(t) === '2');
    if (!fresh?.nodeId || !old) throw new Error('no new task placed');
    const health = (state: 'starting' | 'healthy' | 'unhealthy'): void => {
      h.dispatcher.handle({
        scope: 'node',
        nodeId: fresh.nodeId ?? '',
        kind: 'task-status',
        payload: { v: 1, taskId: fresh.id, generation: 1, state: 'running', exitCode: null, signal: null, error: null, message: 'running', runtimeId: 'c1', throttled: false, ts: h.clock.now(), startedAt: null, finishedAt: null, health: state },
      });
      h.settle();
    };
    health('starting');
    expect(h.store.getTask(old.id)?.desiredState).toBe('running'); // running but not healthy yet: the old one stays
    health('healthy');
    expect(h.store.getTask(old.id)?.desiredState).toBe('shutdown');
    updateEnv('3');
    const third = h.live('web').find((t) => envOf(t) === '3');
    if (!third?.nodeId) throw new Error('no new task placed');
    h.report(third.nodeId, third.id, 'running');
    h.dispatcher.handle({
      scope: 'node',
      nodeId: third.nodeId,
      kind: 'task-status',
      payload: { v: 1, taskId: third.id, generation: 1, state: 'running', exitCode: null, signal: null, error: null, message: 'running', runtimeId: 'c1', throttled: false, ts: h.clock.now(), startedAt: null, finishedAt: null, health: 'unhealthy' },
    });
    h.settle();
    expect(status()).toMatchObject({ state: 'paused', failures: 1 });
    expect(status()?.message).toBe(`update paused due to failure or early termination of task ${third.id} unhealthy`);
  });
});
