/**
 * A service the size of the cluster-wide task cap on the built `kelvin manager` with no boards
 * (every task stays pending): the create call answers at once, the API keeps answering while the
 * orchestrator fills in 100,000 tasks in bounded steps, and SIGTERM stops the manager promptly.
 * Over the cap, the CLI refuses with one clear line. Limits are generous for a busy 2-core box
 * running other test files at once; the manager that did all this in one pass held the event
 * loop, and so every request and SIGTERM, for minutes.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLUSTER_TASKS } from '../../shared/limits.js';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start();
}, 60_000);

afterAll(async () => {
  await cluster?.stop([]);
}, 30_000);

/** Milliseconds `GET /v1/join-token` takes to answer (a request that reads no tasks). */
async function apiLatencyMs(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${cluster.env.KELVIN_HOST}/v1/join-token`, {
    headers: { authorization: `Bearer ${cluster.env.KELVIN_TOKEN}` },
    signal: AbortSignal.timeout(30_000),
  });
  expect(res.status).toBe(200);
  return performance.now() - started;
}

describe(`a service of ${MAX_CLUSTER_TASKS} replicas (the cluster-wide cap)`, () => {
  it('is refused over the cap by the CLI with one line naming the flag', async () => {
    const r = await runKelvin(['service', 'create', '--name', 'huge', '--replicas', '1000000000', '--', '/bin/true'], { env: cluster.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`kelvin: --replicas: over the cluster-wide limit of ${MAX_CLUSTER_TASKS} tasks\n`);
  });

  it('is created at once, the API answers while its tasks are filled in, and SIGTERM stops the manager promptly', async () => {
    const started = performance.now();
    await cluster.kelvin('service', 'create', '--name', 'big', '--replicas', String(MAX_CLUSTER_TASKS), '--', '/bin/sleep', '3600');
    expect(performance.now() - started).toBeLessThan(10_000);

    const db = new Database(join(cluster.dataDir, 'kelvin.db'), { readonly: true, fileMustExist: true });
    const taskCount = (): number => Number((db.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n);
    try {
      const latencies: number[] = [];
      for (let i = 0; i < 20; i++) {
        latencies.push(await apiLatencyMs());
        await new Promise((r) => setTimeout(r, 250));
      }
      const filled = taskCount();
      expect(filled).toBeGreaterThan(0); // the fill is under way, in steps between which the API answers
      expect(Math.max(...latencies)).toBeLessThan(10_000); // a second or so on an idle machine
    } finally {
      db.close();
    }

    const manager = cluster.manager;
    if (!manager) throw new Error('no manager');
    const exited = new Promise<number | null>((resolve) => manager.once('exit', (code) => resolve(code)));
    const stopping = performance.now();
    manager.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(15_000); // the pass under way finishes first
  }, 120_000);
});
