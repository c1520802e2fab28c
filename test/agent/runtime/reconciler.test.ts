import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Reconciler } from '../../../agent/runtime/reconciler.js';
import { ProcessExecutor } from '../../../agent/runtime/process/index.js';
import { APPLIED_FILE } from '../../../agent/runtime/task-records.js';
import { silentLogger } from '../../../shared/logger.js';
import { processSpec } from '../../helpers/task-spec.js';
import { cgroupV1Writable, collect, groupAlive, sh, tempDir } from './process/helpers.js';
import { desiredSet, harness, type Harness } from './process/reconciler-harness.js';

const state = tempDir('reconciler');
afterAll(() => state.cleanup());

let current: Harness | null = null;
function start(): Harness {
  current = harness(state.path);
  return current;
}

afterEach(async () => {
  // Drop whatever a test left running, through the reconciler itself.
  if (!current) return;
  current.reconciler.apply(desiredSet(1_000_000, []));
  await current.reconciler.idle();
  await current.reconciler.close();
  current = null;
  // Every test starts as a fresh agent: no desired set applied yet.
  rmSync(join(state.path, APPLIED_FILE), { force: true });
});

describe('Reconciler with the process driver', () => {
  it('starts a desired task through assigned, preparing, starting, running and records it', async () => {
    const h = start();
    await h.reconciler.start();
    const task = sh('sleep 60');
    h.reconciler.apply(desiredSet(1, [task]));
    await h.reconciler.idle();
    expect(h.states(task.id)).toEqual(['assigned', 'preparing', 'starting', 'running']);
    const running = h.latest(task.id)!;
    expect(running).toMatchObject({ generation: 1, runtimeId: expect.stringMatching(/^\d+$/), throttled: false, exitCode: null });
    expect(running.startedAt).toBeGreaterThan(0);
    const record = JSON.parse(readFileSync(join(state.path, 'tasks', task.id, 'task.json'), 'utf8'));
    expect(record).toMatchObject({ taskId: task.id, generation: 1, driver: 'process', runtimeId: running.runtimeId, status: { state: 'running' } });
    expect(h.reconciler.statuses()).toEqual([running]);
  });

  it('stops a task the desired set no longer lists (shutdown), leaving no process and no record', async () => {
    const h = start();
    await h.reconciler.start();
    const keep = sh('sleep 60');
    const drop = sh('sleep 60 & wait', { stopGracePeriodMs: 500 });
    h.reconciler.apply(desiredSet(1, [keep, drop]));
    await h.reconciler.idle();
    const pgid = Number(h.latest(drop.id)!.runtimeId);
    h.reconciler.apply(desiredSet(2, [keep]));
    await h.reconciler.idle();
    expect(h.states(drop.id).at(-1)).toBe('shutdown');
    expect(h.latest(drop.id)).toMatchObject({ generation: 2, error: null, finishedAt: expect.any(Number) });
    expect(groupAlive(pgid)).toEqual([]);
    expect(existsSync(join(state.path, 'tasks', drop.id))).toBe(false);
    expect(h.reconciler.statuses().map((s) => s.taskId)).toEqual([keep.id]);
    expect(h.latest(keep.id)!.state).toBe('running');
  });

  it('stops the copy from an older generation when its replacement arrives (fencing)', async () => {
    const h = start();
    await h.reconciler.start();
    const old = sh('sleep 60', { slot: 1 });
    h.reconciler.apply(desiredSet(3, [old]));
    await h.reconciler.idle();
    const replacement = sh('sleep 60', { slot: 1 });
    h.reconciler.apply(desiredSet(5, [replacement]));
    await h.reconciler.idle();
    expect(h.latest(old.id)).toMatchObject({ state: 'shutdown', generation: 5 });
    expect(h.latest(replacement.id)).toMatchObject({ state: 'running', generation: 5 });
    expect(groupAlive(Number(h.latest(old.id)!.runtimeId))).toEqual([]);
  });

  it('changes nothing when the same set is replayed', async () => {
    const h = start();
    await h.reconciler.start();
    const task = sh('sleep 60');
    const set = desiredSet(7, [task]);
    h.reconciler.apply(set);
    await h.reconciler.idle();
    const reported = h.reports.length;
    const pid = h.latest(task.id)!.runtimeId;
    h.reconciler.apply(set);
    h.reconciler.apply(structuredClone(set));
    await h.reconciler.idle();
    expect(h.reports.length).toBe(reported);
    expect(h.reconciler.statuses()).toMatchObject([{ taskId: task.id, state: 'running', runtimeId: pid }]);
  });

  it('ignores a set older than the one applied', async () => {
    const h = start();
    await h.reconciler.start();
    const task = sh('sleep 60');
    h.reconciler.apply(desiredSet(10, [task]));
    await h.reconciler.idle();
    const reported = h.reports.length;
    h.reconciler.apply(desiredSet(9, []));
    await h.reconciler.idle();
    expect(h.reports.length).toBe(reported);
    expect(h.latest(task.id)!.state).toBe('running');
  });

  it('follows a manager restored from an older backup: a new incarnation is taken at a lower generation, creates and removals applied', async () => {
    const h = start();
    await h.reconciler.start();
    const afterBackup = sh('sleep 60');
    h.reconciler.apply({ ...desiredSet(15, [afterBackup]), incarnation: 'before-restore' });
    await h.reconciler.idle();
    const fromBackup = sh('sleep 60');
    expect(h.reconciler.apply({ ...desiredSet(12, [fromBackup]), incarnation: 'after-restore' })).toBe(true);
    await h.reconciler.idle();
    expect(h.latest(afterBackup.id)).toMatchObject({ state: 'shutdown', generation: 12, incarnation: 'after-restore' });
    expect(h.latest(fromBackup.id)).toMatchObject({ state: 'running', generation: 12, incarnation: 'after-restore' });
    expect(groupAlive(Number(h.latest(afterBackup.id)!.runtimeId))).toEqual([]);
  });

  it('keeps fencing within an incarnation, never goes back to one it left, and remembers both across an agent restart', async () => {
    const first = start();
    await first.reconciler.start();
    expect(first.reconciler.apply({ ...desiredSet(3, []), incarnation: 'one' })).toBe(true);
    expect(first.reconciler.apply({ ...desiredSet(4, []), incarnation: 'two' })).toBe(true);
    expect(first.reconciler.apply({ ...desiredSet(3, []), incarnation: 'two' })).toBe(false);
    expect(first.reconciler.apply({ ...desiredSet(9, []), incarnation: 'one' })).toBe(false);
    await first.reconciler.close();

    const again = start();
    await again.reconciler.start();
    expect(again.reconciler.apply({ ...desiredSet(3, []), incarnation: 'two' })).toBe(false);
    expect(again.reconciler.apply({ ...desiredSet(9, []), incarnation: 'one' })).toBe(false);
    expect(again.reconciler.apply({ ...desiredSet(4, []), incarnation: 'two' })).toBe(true);
    expect(again.reconciler.apply({ ...desiredSet(1, []), incarnation: 'three' })).toBe(true);
  });

  it('reports how tasks end and never restarts one that ended', async () => {
    const h = start();
    await h.reconciler.start();
    const ok = sh('exit 0');
    const bad = sh('exit 3');
    const killed = sh('kill -TERM $$');
    const set = [ok, bad, killed];
    h.reconciler.apply(desiredSet(1, set));
    await h.reach(ok.id, 'complete');
    await h.reach(bad.id, 'failed');
    await h.reach(killed.id, 'failed');
    expect(h.latest(ok.id)).toMatchObject({ exitCode: 0, error: null });
    expect(h.latest(bad.id)).toMatchObject({ exitCode: 3, error: 'exit code 3' });
    expect(h.latest(killed.id)).toMatchObject({ exitCode: null, signal: 'SIGTERM', error: 'killed by SIGTERM' });
    const reported = h.reports.length;
    h.reconciler.apply(desiredSet(2, set));
    await h.reconciler.idle();
    expect(h.reports.length).toBe(reported);
  });

  it('rejects what it cannot run: a missing program, an unavailable driver, an unsafe id', async () => {
    const h = start();
    await h.reconciler.start();
    const missing = processSpec(['no-such-program-xyz']);
    const docker = sh('true', { driver: 'docker', image: 'busybox' });
    const unsafe = sh('true', { id: '../../etc' });
    h.reconciler.apply(desiredSet(1, [missing, docker, unsafe]));
    await h.reconciler.idle();
    expect(h.latest(missing.id)).toMatchObject({ state: 'rejected', error: expect.stringContaining('program "no-such-program-xyz" not found') });
    expect(h.latest(docker.id)).toMatchObject({ state: 'rejected', error: 'driver docker is not available on this node' });
    expect(h.latest(unsafe.id)).toMatchObject({ state: 'rejected', error: expect.stringContaining('not a safe folder name') });
    expect(existsSync(join(state.path, 'etc'))).toBe(false);
  });

  it('serves a task\'s logs and names an unknown task', async () => {
    const h = start();
    await h.reconciler.start();
    const task = sh('echo hello; echo world');
    h.reconciler.apply(desiredSet(1, [task]));
    await h.reach(task.id, 'complete');
    const lines = await collect(h.reconciler.logs(task.id, { tail: 1, follow: false }));
    expect(lines.map((l) => l.text)).toEqual(['world']);
    expect(() => h.reconciler.logs('nope', { tail: null, follow: false })).toThrow(/unknown task nope/);
  });

  it('still answers for the logs of a finished task after the desired set dropped it and its files are gone', async () => {
    const h = start();
    await h.reconciler.start();
    const task = sh('echo one; echo two; echo three');
    h.reconciler.apply(desiredSet(1, [task]));
    await h.reach(task.id, 'complete');
    h.reconciler.apply(desiredSet(2, []));
    await h.reconciler.idle();
    expect(existsSync(join(state.path, 'tasks', task.id))).toBe(false);
    expect((await collect(h.reconciler.logs(task.id, { tail: null, follow: false }))).map((l) => l.text)).toEqual(['one', 'two', 'three']);
    expect((await collect(h.reconciler.logs(task.id, { tail: 2, follow: true }))).map((l) => l.text)).toEqual(['two', 'three']);
  });

  it('never starts a task dropped before it got going', async () => {
    const h = start();
    await h.reconciler.start();
    const task = sh('sleep 60');
    h.reconciler.apply(desiredSet(1, [task]));
    h.reconciler.apply(desiredSet(2, []));
    await h.reconciler.idle();
    expect(h.states(task.id)).toEqual(['assigned', 'shutdown']);
    expect(h.reconciler.statuses()).toEqual([]);
    expect(existsSync(join(state.path, 'tasks', task.id))).toBe(false);
  });
});

describe('Reconciler after a restart that found a task without a record', () => {
  it('ends and removes a process task that the first desired set does not list', async () => {
    const dir = tempDir('reconciler-unrecorded');
    const spec = sh('sleep 60');
    const stray = new ProcessExecutor({ stateDir: dir.path, logger: silentLogger() }).controller(spec);
    await stray.prepare();
    await stray.start();
    const pid = Number(stray.runtimeId);

    const h = harness(dir.path);
    await h.reconciler.start();
    h.reconciler.apply(desiredSet(1, []));
    await h.reconciler.idle();
    expect(h.latest(spec.id)?.state).toBe('shutdown');
    expect(groupAlive(pid)).toEqual([]);
    expect(existsSync(join(dir.path, 'tasks', spec.id))).toBe(false);
    await h.reconciler.close();
    dir.cleanup();
  });
});

describe.skipIf(!cgroupV1Writable())('Reconciler throttle (level-triggered, cgroup v1)', () => {
  const quota = (taskId: string): string => readFileSync(join('/sys/fs/cgroup/cpu/kelvin', taskId, 'cpu.cfs_quota_us'), 'utf8').trim();

  it('applies the desired throttle, the tighter local cap, and lifts both', async () => {
    const h = start();
    await h.reconciler.start();
    const task = sh('sleep 60', { throttle: { cpus: 0.5 } });
    h.reconciler.apply(desiredSet(1, [task]));
    await h.reconciler.idle();
    expect(h.latest(task.id)).toMatchObject({ state: 'running', throttled: true });
    expect(quota(task.id)).toBe('50000');

    await h.reconciler.setLocalThrottle(0.2);
    expect(quota(task.id)).toBe('20000');
    await h.reconciler.setLocalThrottle(null);
    expect(quota(task.id)).toBe('50000');

    h.reconciler.apply(desiredSet(2, [{ ...task, throttle: null }]));
    await h.reconciler.idle();
    expect(quota(task.id)).toBe('-1');
    expect(h.latest(task.id)).toMatchObject({ state: 'running', throttled: false });
    expect(h.states(task.id).filter((s) => s === 'running').length).toBeGreaterThan(1);
  });
});

describe('Reconciler lifecycle', () => {
  it('close() leaves tasks running and stops reporting', async () => {
    const dir = tempDir('reconciler-close');
    const executor = new ProcessExecutor({ stateDir: dir.path, logger: silentLogger() });
    const reports: string[] = [];
    const r = new Reconciler({ executors: [executor], stateDir: dir.path, logger: silentLogger(), report: (s) => reports.push(s.state) });
    await r.start();
    const task = sh('sleep 60');
    r.apply(desiredSet(1, [task]));
    await r.idle();
    const pid = Number(r.statuses()[0]!.runtimeId);
    await r.close();
    expect(groupAlive(pid).length).toBeGreaterThan(0);
    process.kill(-pid, 'SIGKILL');
    await new Promise((res) => setTimeout(res, 300));
    expect(reports.at(-1)).toBe('running');
    dir.cleanup();
  });
});
