/**
 * An agent that dies for real: the reconciler runs in a child node process (the built dist/, as
 * the `kelvin agent` would), which is SIGKILLed. Its pty masters close with it, so its process
 * tasks lose their terminal; a new Reconciler on the same state dir must account for all of them.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { PROCESS_GONE, SURVIVOR_STOPPED } from '../../../agent/runtime/process/index.js';
import type { TaskStatus } from '../../../shared/payloads/tasks.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { processSpec } from '../../helpers/task-spec.js';
import { groupAlive, sh, tempDir, waitFor } from './process/helpers.js';
import { desiredSet, harness } from './process/reconciler-harness.js';

const AGENT_SCRIPT = `
const [stateDir, setJson] = process.argv.slice(1);
const dist = ${JSON.stringify(`${REPO_ROOT}dist/`)};
const { Reconciler } = await import(dist + 'agent/runtime/reconciler.js');
const { ProcessExecutor } = await import(dist + 'agent/runtime/process/index.js');
const { silentLogger } = await import(dist + 'shared/logger.js');
const logger = silentLogger();
const r = new Reconciler({
  executors: [new ProcessExecutor({ stateDir, logger })],
  stateDir,
  logger,
  report: (s) => process.stdout.write(JSON.stringify(s) + '\\n'),
});
await r.start();
r.apply(JSON.parse(setJson));
setInterval(() => {}, 1000);
`;

const state = tempDir('reconciler-restart');
afterAll(() => state.cleanup());

describe('Reconciler after the agent was killed', () => {
  it('reports dead process tasks failed with the reason, ends survivors, keeps ended ones', async () => {
    const dead = processSpec(['sleep', '60']);
    const survivor = sh("trap '' HUP; while :; do sleep 0.2; done");
    const done = sh('echo finished');
    const set = desiredSet(4, [dead, survivor, done]);

    const agent = spawn(process.execPath, ['--input-type=module', '-e', AGENT_SCRIPT, state.path, JSON.stringify(set)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const seen: TaskStatus[] = [];
    createInterface({ input: agent.stdout! }).on('line', (l) => seen.push(JSON.parse(l) as TaskStatus));
    const running = (id: string): TaskStatus | undefined => seen.find((s) => s.taskId === id && s.state === 'running');
    await waitFor(() => running(dead.id) && running(survivor.id) && seen.find((s) => s.taskId === done.id && s.state === 'complete'), 15_000);
    const deadPid = Number(running(dead.id)!.runtimeId);
    const survivorPid = Number(running(survivor.id)!.runtimeId);

    const exited = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGKILL');
    await exited;
    // The terminal hang-up ends `sleep`; the survivor ignores it and keeps its group alive.
    await waitFor(() => groupAlive(deadPid).length === 0);
    expect(groupAlive(survivorPid).length).toBeGreaterThan(0);

    const h = harness(state.path);
    await h.reconciler.start();
    expect(h.latest(dead.id)).toMatchObject({ state: 'failed', error: PROCESS_GONE, generation: 4, runtimeId: String(deadPid) });
    const ended = await h.reach(survivor.id, 'failed');
    expect(ended).toMatchObject({ error: SURVIVOR_STOPPED, runtimeId: String(survivorPid) });
    expect(groupAlive(survivorPid)).toEqual([]);
    // An ended task stays ended, and is not reported again.
    expect(h.states(done.id)).toEqual([]);
    expect(h.reconciler.statuses().find((s) => s.taskId === done.id)).toMatchObject({ state: 'complete' });

    // The retained set arrives again: nothing is restarted; then the manager drops all three.
    const before = h.reports.length;
    h.reconciler.apply(set);
    await h.reconciler.idle();
    expect(h.reports.length).toBe(before);
    h.reconciler.apply(desiredSet(5, []));
    await h.reconciler.idle();
    expect(h.reconciler.statuses()).toEqual([]);
    await h.reconciler.close();
  });
});
