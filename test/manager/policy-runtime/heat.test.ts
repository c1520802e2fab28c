import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spec } from '../orchestrator/harness.js';
import { eventually } from '../broker/broker-client.js';
import { Rig, type Board } from './rig.js';

let rig: Rig;
beforeEach(async () => {
  rig = await Rig.start({ thermalSustainMs: 10_000, thermalHoldMs: 10_000 });
});
afterEach(async () => {
  await rig.close();
});

/** Reports every task of the board's latest set as running. */
async function runAll(board: Board): Promise<void> {
  const set = await rig.until(() => board.lastSet(), `a set on ${board.id}`);
  for (const t of set.tasks) board.report(t.id, 'running');
  await rig.until(() => set.tasks.every((t) => rig.manager.cluster.getTask(t.id).state === 'running'), `tasks on ${board.id} running`);
}

const taskIds = (board: Board): string[] => (board.lastSet()?.tasks ?? []).map((t) => t.id).sort();

describe('heat policy in a running manager (limits: warn 70, throttle 80, critical 85)', () => {
  it('throttles a hot board, moves its movable tasks to a cool board after the sustain time, keeps pinned ones, and recovers', async () => {
    const hot = await rig.board('hot-1');
    const { cluster } = rig.manager;
    cluster.createService(spec('web', { replicas: 2 }));
    cluster.createService(spec('pinned', { thermal: { movable: false } }));
    await rig.until(() => hot.lastSet()?.tasks.length === 3, 'three tasks on hot-1');
    await runAll(hot);
    const cool = await rig.board('cool-1');
    await cool.sample(45);
    await hot.sample(60);
    const original = taskIds(hot);

    // Crossing throttleC: every task on the board is capped at half of its 4 cores, at once.
    await hot.sample(82);
    await rig.until(() => hot.lastSet()?.tasks.every((t) => t.throttle?.cpus === 2), 'throttled set on hot-1');
    expect(rig.alerts('thermal.throttle').map((a) => a.message)).toEqual(['hot-1 is hot: 82.0 C >= 80 C, throttling 3 tasks']);
    expect(cluster.listNodes().find((n) => n.id === 'hot-1')).toBeTruthy();
    expect(rig.manager.policy.view('hot-1')).toMatchObject({ thermal: { state: 'hot', cpuTempC: 82 }, refusal: 'node too hot: 82.0 C >= 80 C' });

    // Still hot after the sustain time: web's two tasks get replacements on cool-1; the old ones keep running meanwhile.
    await hot.hold(9, 83);
    await cool.sample(45);
    expect(rig.alerts('thermal.failover')).toEqual([]);
    await hot.hold(2, 83);
    const replacements = await rig.until(() => cool.lastSet()?.tasks.length === 2 && cool.lastSet()?.tasks, 'replacements on cool-1');
    expect(replacements.every((t) => t.serviceName === 'web' && t.throttle === null)).toBe(true);
    expect(taskIds(hot)).toEqual(original);

    const [failover, ...more] = rig.alerts('thermal.failover');
    expect(more).toEqual([]);
    const webOnHot = cluster.listTasks({ service: 'web' }).filter((t) => original.includes(t.id));
    expect((failover?.details.tasks as unknown[]).length).toBe(2);
    expect(failover?.details.tasks).toEqual(
      expect.arrayContaining(webOnHot.map((t) => ({ taskId: t.id, service: 'web', from: 'hot-1', to: 'cool-1' }))),
    );
    expect(failover?.message).toMatch(/^hot-1 has been hot for 1\d s \(82\.0 C >= 80 C\): moving 2 tasks to cooler nodes \(web /);
    const pinnedTask = cluster.listTasks({ service: 'pinned' })[0];
    expect(rig.alerts('thermal.no-target').map((a) => a.message)).toEqual([
      `task ${pinnedTask?.id} cannot leave hot node hot-1: pinned: pinned to its node (x-kelvin thermal.movable: false)`,
    ]);

    // Once the replacements run, the old tasks are stopped; the pinned one stays, still throttled.
    await runAll(cool);
    await rig.until(() => hot.lastSet()?.tasks.length === 1, 'hot-1 keeps only the pinned task');
    expect(hot.lastSet()?.tasks[0]).toMatchObject({ id: pinnedTask?.id, throttle: { cpus: 2 } });
    for (const t of webOnHot) expect(cluster.getTask(t.id).desiredState).toBe('shutdown');

    // Cooling below (80 - 5) for the hold time: unthrottled, recovered, nothing moves back.
    await hot.hold(12, 60);
    await rig.until(() => hot.lastSet()?.tasks[0]?.throttle === null, 'unthrottled set on hot-1');
    expect(rig.alerts('thermal.recovered').map((a) => a.message)).toEqual(['hot-1 cooled to normal (60.0 C): tasks unthrottled, taking work again']);
    expect(cool.lastSet()?.tasks.length).toBe(2);

    // Every sink saw the same alerts: the webhook receiver (exactly one failover) and the alerts topic.
    const sequence = ['thermal.throttle', 'thermal.failover', 'thermal.no-target', 'thermal.recovered'];
    await eventually(() => rig.webhook.length === 4 && rig.mqttAlerts.length === 4, 5000, 'alerts delivered');
    expect(rig.webhook.map((a) => a.kind)).toEqual(sequence);
    expect(rig.webhook.filter((a) => a.kind === 'thermal.failover')).toEqual([failover]);
    expect(rig.mqttAlerts.map((a) => a.kind)).toEqual(sequence);
    // ...and the event log has the transitions next to the task moves.
    const events = cluster.events().map((e) => e.kind);
    expect(events.filter((k) => k.startsWith('thermal.'))).toEqual(sequence);
    expect(events.filter((k) => k === 'task.move')).toHaveLength(2);
  });

  it('steers new work away from a warm board, and refuses a hot one with the reason on the pending task', async () => {
    const a = await rig.board('a-1');
    const b = await rig.board('b-1');
    await a.sample(72, {}, 0.1); // warm: penalised, even though its load is lower than b's
    await b.sample(50, {}, 0.9);
    const { cluster } = rig.manager;
    cluster.createService(spec('one', { replicas: 1 }));
    const [task] = await rig.until(() => cluster.listTasks({ service: 'one' }).filter((t) => t.state === 'assigned'), 'placed');
    expect(task?.nodeId).toBe('b-1');

    await a.sample(90);
    await b.sample(95);
    cluster.createService(spec('two', { replicas: 1 }));
    const pending = await rig.until(() => cluster.listTasks({ service: 'two' }).find((t) => t.message !== ''), 'pending reason');
    expect(pending.state).toBe('pending');
    expect(pending.message).toContain('node too hot: 90.0 C >= 85 C');
    expect(pending.message).toContain('node too hot: 95.0 C >= 85 C');
    // Critical moves at once; b-1 has a movable task but no cooler node can take it.
    expect(rig.alerts('thermal.no-target').map((x) => x.details.taskId)).toEqual([task?.id]);
  });
});
