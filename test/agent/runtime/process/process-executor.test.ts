import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProcessExecutor, PROCESS_GONE, SURVIVOR_STOPPED } from '../../../../agent/runtime/process/index.js';
import { readProcStat } from '../../../../agent/runtime/process/proc.js';
import { writeProcessRecord } from '../../../../agent/runtime/process/process-record.js';
import { RuntimeError, type Controller } from '../../../../agent/runtime/types.js';
import { silentLogger } from '../../../../shared/logger.js';
import type { TaskSpec } from '../../../../shared/payloads/tasks.js';
import { processSpec } from '../../../helpers/task-spec.js';
import { collect, groupAlive, sh, tempDir, waitFor } from './helpers.js';

const state = tempDir('proc-exec');
const executor = new ProcessExecutor({ stateDir: state.path, logger: silentLogger() });
const started: Controller[] = [];

async function run(spec: TaskSpec): Promise<Controller> {
  const c = executor.controller(spec);
  started.push(c);
  await c.prepare();
  await c.start();
  return c;
}

async function texts(c: Controller, tail: number | null = null): Promise<string[]> {
  return (await collect(c.logs({ tail, follow: false }))).map((l) => l.text);
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.remove()));
});
afterAll(() => state.cleanup());

describe('ProcessExecutor', () => {
  it('is available where node-pty loads', async () => {
    expect(executor.driver).toBe('process');
    expect(await executor.available()).toBe(true);
  });

  it('reports exit codes and signals', async () => {
    const ok = await run(sh('exit 0'));
    const three = await run(sh('exit 3'));
    const killed = await run(sh('kill -KILL $$'));
    expect(await ok.wait()).toEqual({ exitCode: 0, signal: null, error: null });
    expect(await three.wait()).toEqual({ exitCode: 3, signal: null, error: null });
    expect(await killed.wait()).toEqual({ exitCode: null, signal: 'SIGKILL', error: null });
    expect(three.runtimeId).toMatch(/^\d+$/);
  });

  it('runs entrypoint + command with the task env over a minimal one, not the agent env', async () => {
    process.env.KELVIN_TEST_AGENT_SECRET = 'must-not-leak';
    const spec = processSpec(['-c', 'echo "foo=$FOO path=$PATH lang=$LANG"; env'], { entrypoint: ['sh'], env: { FOO: 'bar baz' } });
    const c = await run(spec);
    await c.wait();
    const out = await texts(c);
    delete process.env.KELVIN_TEST_AGENT_SECRET;
    expect(out[0]).toBe('foo=bar baz path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin lang=C.UTF-8');
    expect(out.join('\n')).not.toContain('must-not-leak');
  });

  it('runs in spec.workdir, or in a per-task folder in the state dir', async () => {
    const work = tempDir('workdir');
    const inWorkdir = await run(sh('pwd', { workdir: work.path }));
    const spec = sh('pwd; echo data > here.txt');
    const inTaskDir = await run(spec);
    await Promise.all([inWorkdir.wait(), inTaskDir.wait()]);
    expect(await texts(inWorkdir)).toEqual([work.path]);
    const taskWork = join(state.path, 'tasks', spec.id, 'work');
    expect(await texts(inTaskDir)).toEqual([taskWork]);
    expect(readFileSync(join(taskWork, 'here.txt'), 'utf8')).toBe('data\n');
    work.cleanup();
  });

  it('rejects a missing program, a missing workdir and an empty command permanently', async () => {
    const cases: [TaskSpec, RegExp][] = [
      [processSpec(['no-such-program-xyz']), /program "no-such-program-xyz" not found/],
      [sh('true', { workdir: '/no/such/dir' }), /workdir \/no\/such\/dir is not an existing absolute directory/],
      [processSpec([]), /needs a command/],
      [processSpec(['true'], { id: '../escape' }), /not a safe folder name/],
    ];
    for (const [spec, message] of cases) {
      const c = executor.controller(spec);
      const err = await c.prepare().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RuntimeError);
      expect((err as RuntimeError).kind).toBe('permanent');
      expect((err as RuntimeError).message).toMatch(message);
    }
  });

  it('keeps timestamped lines: tail from the ring, the same lines in the log file', async () => {
    const before = Date.now();
    const spec = sh('for i in 1 2 3 4 5; do echo "line $i"; done; printf "no newline"');
    const c = await run(spec);
    await c.wait();
    expect(await texts(c, 2)).toEqual(['line 5', 'no newline']);
    const all = await collect(c.logs({ tail: null, follow: false }));
    expect(all.map((l) => l.text)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'no newline']);
    for (const l of all) {
      expect(l).toMatchObject({ taskId: spec.id, stream: 'stdout' });
      expect(l.ts).toBeGreaterThanOrEqual(before);
    }
    const file = readFileSync(join(state.path, 'tasks', spec.id, 'output.log'), 'utf8').trim().split('\n');
    expect(file).toHaveLength(6);
    expect(file[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z line 1$/);
  });

  it('follows output until the task ends, and stops following on abort', async () => {
    const c = await run(sh('echo one; sleep 0.3; echo two; sleep 0.3; echo three'));
    const followed = await collect(c.logs({ tail: 0, follow: true }));
    expect(followed.map((l) => l.text)).toEqual(['one', 'two', 'three']);

    const endless = await run(sh('while :; do echo tick; sleep 0.1; done'));
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const line of endless.logs({ tail: null, follow: true, signal: abort.signal })) {
      seen.push(line.text);
      if (seen.length === 3) abort.abort();
    }
    expect(seen).toEqual(['tick', 'tick', 'tick']);
  });

  it('caps the log file by rotating it', async () => {
    const capped = new ProcessExecutor({ stateDir: state.path, logger: silentLogger(), logCapBytes: 2048 });
    const spec = sh('i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); done');
    const c = capped.controller(spec);
    started.push(c);
    await c.prepare();
    await c.start();
    await c.wait();
    const log = join(state.path, 'tasks', spec.id, 'output.log');
    expect(readFileSync(log).length).toBeLessThanOrEqual(2048);
    expect(readFileSync(`${log}.1`).length).toBeLessThanOrEqual(2048);
    expect(readFileSync(log, 'utf8').trim().split('\n').at(-1)).toMatch(/ line 299$/);
  });

  it('stops with SIGTERM: a task that traps it exits cleanly within the grace period', async () => {
    const c = await run(sh('trap "echo bye; exit 0" TERM; echo ready; while :; do sleep 0.05; done'));
    await waitFor(async () => (await texts(c)).includes('ready'));
    const t0 = Date.now();
    await c.stop(5000);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await c.wait()).toEqual({ exitCode: 0, signal: null, error: null });
    expect(await texts(c)).toContain('bye');
  });

  it('stops with SIGKILL after the grace period when SIGTERM is ignored', async () => {
    const c = await run(sh("trap '' TERM; echo ready; while :; do sleep 0.05; done"));
    await waitFor(async () => (await texts(c)).includes('ready'));
    const t0 = Date.now();
    await c.stop(400);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(await c.wait()).toEqual({ exitCode: null, signal: 'SIGKILL', error: null });
  });

  it('leaves no process of the group behind: on stop, and when the leader exits on its own', async () => {
    const stopped = await run(sh('sleep 60 & sleep 60 & (sleep 60 &) ; echo ready; wait'));
    await waitFor(async () => (await texts(stopped)).includes('ready'));
    const pgid = Number(stopped.runtimeId);
    expect(groupAlive(pgid).length).toBeGreaterThanOrEqual(4);
    await stopped.stop(1000);
    expect(groupAlive(pgid)).toEqual([]);

    const exiting = await run(sh('sleep 60 & sleep 60 & echo started'));
    await exiting.wait();
    expect(groupAlive(Number(exiting.runtimeId))).toEqual([]);
  });

  it("does not hand one task's terminal to the next task", async () => {
    const first = await run(sh('sleep 60'));
    const second = await run(sh('sleep 60'));
    await waitFor(() => readProcStat(Number(second.runtimeId))?.state === 'S');
    const fds = readdirSync(`/proc/${second.runtimeId}/fd`).map((fd) => readlinkSync(`/proc/${second.runtimeId}/fd/${fd}`));
    expect(fds.filter((target) => target === '/dev/ptmx')).toEqual([]);
    expect(fds.length).toBe(3);
    await Promise.all([first.stop(0), second.stop(0)]);
  });

  it('stop before start resolves wait(); stop and remove are idempotent; remove deletes the task files', async () => {
    const never = executor.controller(sh('true'));
    await never.prepare();
    await never.stop(100);
    expect(await never.wait()).toMatchObject({ exitCode: null, error: 'stopped before it started' });
    await never.remove();

    const spec = sh('sleep 60');
    const c = await run(spec);
    await Promise.all([c.stop(500), c.stop(500)]);
    await c.remove();
    await c.remove();
    expect(existsSync(join(state.path, 'tasks', spec.id, 'output.log'))).toBe(false);
    expect(existsSync(join(state.path, 'tasks', spec.id, 'process.json'))).toBe(false);
  });
});

describe('ProcessExecutor after an agent restart', () => {
  const restartState = tempDir('proc-restart');
  beforeAll(() => mkdirSync(join(restartState.path, 'tasks'), { recursive: true }));
  afterAll(() => restartState.cleanup());

  it('lists what the previous agent left; a survivor is stopped on adoption, a dead one is gone', async () => {
    const before = new ProcessExecutor({ stateDir: restartState.path, logger: silentLogger() });
    const survivorSpec = sh('echo from-before; sleep 60 & wait');
    const doneSpec = sh('exit 4');
    const [survivor, done] = [survivorSpec, doneSpec].map((s) => before.controller(s));
    for (const c of [survivor!, done!]) {
      started.push(c);
      await c.prepare();
      await c.start();
    }
    await done!.wait();
    await waitFor(async () => (await texts(survivor!)).includes('from-before'));
    // A task that died with the agent: its record says it started, but no agent saw it end.
    const deadSpec = sh('sleep 60');
    const dead = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    const deadPid = dead.pid!;
    mkdirSync(join(restartState.path, 'tasks', deadSpec.id));
    writeProcessRecord(join(restartState.path, 'tasks', deadSpec.id), {
      taskId: deadSpec.id,
      pid: deadPid,
      startTicks: readProcStat(deadPid)!.startTicks,
      startedAt: Date.now(),
      exit: null,
    });
    dead.kill('SIGKILL');
    await new Promise((r) => dead.once('exit', r));

    const after = new ProcessExecutor({ stateDir: restartState.path, logger: silentLogger() });
    const found = new Map((await after.listExisting()).map((t) => [t.taskId, t]));
    expect(found.get(survivorSpec.id)).toEqual({ taskId: survivorSpec.id, runtimeId: survivor!.runtimeId, running: true, exit: null });
    expect(found.get(deadSpec.id)).toMatchObject({ running: false, exit: { error: PROCESS_GONE } });
    expect(found.get(doneSpec.id)).toMatchObject({ running: false, exit: { exitCode: 4, signal: null, error: null } });

    const adopted = after.adopt(survivorSpec, found.get(survivorSpec.id)!);
    expect(await adopted.wait()).toEqual({ exitCode: null, signal: 'SIGTERM', error: SURVIVOR_STOPPED });
    expect(groupAlive(Number(survivor!.runtimeId))).toEqual([]);
    expect((await collect(adopted.logs({ tail: 1, follow: true }))).map((l) => l.text)).toEqual(['from-before']);
    await adopted.remove();
    expect(existsSync(join(restartState.path, 'tasks', survivorSpec.id, 'process.json'))).toBe(false);
  });

  it('does not take a reused pid for the task', async () => {
    const spec = sh('sleep 60');
    const dir = join(restartState.path, 'tasks', spec.id);
    mkdirSync(dir, { recursive: true });
    // pid 1 runs, but it started long before this record says the task did.
    writeProcessRecord(dir, { taskId: spec.id, pid: 1, startTicks: 999_999_999, startedAt: Date.now(), exit: null });
    const found = (await new ProcessExecutor({ stateDir: restartState.path, logger: silentLogger() }).listExisting()).find((t) => t.taskId === spec.id);
    expect(found).toMatchObject({ running: false, exit: { error: PROCESS_GONE } });
  });
});
