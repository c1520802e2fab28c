/**
 * Rolling updates with the built manager, two real agents and real processes, driven by
 * `kelvin service update` / `service rollback` as a user types them (without --detach: the command
 * follows the rollout and says how it ended).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceView, TaskView } from '../../manager/api/views.js';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
const SERVICES = ['web', 'sf'];

beforeAll(async () => {
  cluster = await TestCluster.start();
  cluster.startAgent('orin', boardRoot('jetson-orin'));
  cluster.startAgent('gpubox', boardRoot('x86-nvidia'), { nvidiaSmi: true });
  await cluster.waitForReadyNodes(2);
}, 60_000);

afterAll(async () => {
  await cluster?.stop(SERVICES);
}, 30_000);

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${cluster.env.KELVIN_HOST}/v1${path}`, { headers: { authorization: `Bearer ${cluster.env.KELVIN_TOKEN}` } });
  return (await res.json()) as T;
}

const live = async (service: string): Promise<TaskView[]> => (await api<TaskView[]>(`/services/${service}/tasks`)).filter((t) => t.desiredState === 'running');
const runningCount = async (service: string): Promise<number> => (await live(service)).filter((t) => t.state === 'running').length;

/** The value of V in the environment of each running task process of `service`. */
function envOfProcesses(service: string): string[] {
  return cluster
    .processesOf(service)
    .map((pid) => {
      try {
        const entry = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith('V='));
        return entry?.slice(2) ?? '-';
      } catch {
        return 'gone';
      }
    })
    .filter((v) => v !== 'gone')
    .sort();
}

/** Runs the kelvin command while sampling how many tasks of `service` run; returns its result and the fewest seen. */
async function whileSampling(service: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; fewest: number; ms: number }> {
  let fewest = Number.MAX_SAFE_INTEGER;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      fewest = Math.min(fewest, await runningCount(service));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const started = Date.now();
  const result = await runKelvin(args, { env: cluster.env, timeoutMs: 50_000 });
  const ms = Date.now() - started;
  done = true;
  await sampler;
  return { ...result, fewest, ms };
}

describe('kelvin service update and rollback', () => {
  it('a good update, parallelism 1 and delay 2s over 4 replicas, never has fewer than 3 running and takes at least 6 s', async () => {
    await cluster.kelvin(
      'service', 'create', '--name', 'web', '--replicas', '4', '--env', 'V=1',
      '--update-monitor', '1s', '--rollback-monitor', '1s', '--rollback-parallelism', '2', '--restart-delay', '1s',
      '--', ...cluster.loop('web'),
    );
    await expect.poll(() => runningCount('web'), { timeout: 20_000 }).toBe(4);
    const r = await whileSampling('web', ['service', 'update', 'web', '--env-add', 'V=2', '--update-delay', '2s']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^web\n/);
    expect(r.stdout).toMatch(/web\.1 \w+ v2: running/);
    expect(r.stdout.trim().split('\n').pop()).toBe('web: update completed');
    expect(r.fewest).toBeGreaterThanOrEqual(3);
    const svc = await api<ServiceView>('/services/web');
    expect(svc.updateStatus).toMatchObject({ state: 'completed', failures: 0, total: 4 });
    expect((svc.updateStatus?.completedAt ?? 0) - (svc.updateStatus?.startedAt ?? 0)).toBeGreaterThanOrEqual(6000);
    expect(r.ms).toBeGreaterThanOrEqual(6000);
    await expect.poll(() => envOfProcesses('web'), { timeout: 10_000 }).toEqual(['2', '2', '2', '2']);
  }, 60_000);

  it('service rollback restores the previous environment', async () => {
    const r = await runKelvin(['service', 'rollback', 'web'], { env: cluster.env, timeoutMs: 50_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').pop()).toBe('web: rollback completed');
    await expect.poll(() => envOfProcesses('web'), { timeout: 10_000 }).toEqual(['1', '1', '1', '1']);
    const svc = await api<ServiceView>('/services/web');
    expect(svc.spec.env).toEqual({ V: '1' });
    expect(svc.previousSpec?.env).toEqual({ V: '2' });
  }, 60_000);

  it('an update to a command that fails is paused after the first batch, the other replicas untouched', async () => {
    const before = await live('web');
    const r = await runKelvin(['service', 'update', 'web', '--args', `/bin/sh -c 'exit 3' ${cluster.marker('web')}`], { env: cluster.env, timeoutMs: 50_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kelvin: service web: update paused due to failure or early termination of task \w+ failed/);
    const after = await live('web');
    const untouched = before.filter((t) => t.slot !== 1).map((t) => t.id).sort();
    expect(after.filter((t) => t.slot !== 1).map((t) => t.id).sort()).toEqual(untouched);
    expect(after.filter((t) => t.slot !== 1).every((t) => t.state === 'running')).toBe(true);
    const ls = await cluster.kelvin('service', 'ls');
    expect(ls).toMatch(/web .* paused: update paused due to failure/);
    const events = JSON.parse(await cluster.kelvin('events', '--json')) as Array<{ kind: string }>;
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['service.update.updating', 'service.update.paused']));
    const alerts = JSON.parse(await cluster.kelvin('alerts', '--json')) as Array<{ kind: string }>;
    expect(alerts.map((a) => a.kind)).toContain('service.update-paused');
  }, 60_000);

  it('start-first starts the new task before the old one stops', async () => {
    await cluster.kelvin('service', 'create', '--name', 'sf', '--env', 'V=1', '--update-order', 'start-first', '--update-monitor', '500ms', '--', ...cluster.loop('sf'));
    await expect.poll(() => runningCount('sf'), { timeout: 20_000 }).toBe(1);
    const [old] = await live('sf');
    await cluster.kelvin('service', 'update', 'sf', '--env-add', 'V=2');
    const tasks = await api<TaskView[]>('/services/sf/tasks');
    const oldTask = tasks.find((t) => t.id === old?.id);
    const newTask = tasks.find((t) => t.desiredState === 'running');
    expect(newTask?.id).not.toBe(old?.id);
    expect(newTask?.startedAt).not.toBeNull();
    await expect.poll(async () => (await api<TaskView[]>('/services/sf/tasks')).find((t) => t.id === old?.id)?.finishedAt ?? null, { timeout: 10_000 }).not.toBeNull();
    const finished = (await api<TaskView[]>('/services/sf/tasks')).find((t) => t.id === oldTask?.id)?.finishedAt ?? 0;
    expect(finished).toBeGreaterThanOrEqual(newTask?.startedAt ?? Number.MAX_SAFE_INTEGER);
  }, 60_000);
});
