/**
 * A cap-sized service: `POST /v1/services` with --replicas N (default 100,000, the cluster-wide
 * task cap) on a real `kelvin manager` with no boards, so every task stays pending. Measures how
 * long the create call takes to answer, the API's latency while the orchestrator fills in the
 * tasks (a cheap request every 100 ms), how long the fill takes (tasks counted read-only from the
 * SQLite file, beside the manager), and how long the manager takes to exit after SIGTERM sent
 * mid-fill (`--stop-at` share of the tasks, default 0.5) or after the fill (`--stop-at 1`), and
 * the manager's RSS before and at its peak.
 *
 * Build first: npm run build.
 * Run: node bench/big-service.mjs [--replicas 100000] [--stop-at 0.5]. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { arg, intArg } from './lib/args.mjs';
import { startManager, startMosquitto } from './lib/cluster.mjs';
import { sleep } from './lib/net.mjs';
import { rssBytes, watchProcess } from './lib/proc.mjs';
import { percentile, round } from './lib/stats.mjs';

const replicas = intArg('big-service', 'replicas', '100000');
const stopAt = Number(arg('stop-at', '0.5'));
const log = (msg) => console.error(`big-service: ${msg}`);

const dir = mkdtempSync(join(tmpdir(), 'kelvin-bench-big-'));
try {
  const mosquitto = await startMosquitto(dir);
  const manager = await startManager({ dir, brokerUrl: mosquitto.url });
  const db = new Database(join(dir, 'manager', 'kelvin.db'), { readonly: true, fileMustExist: true });
  const taskCount = () => Number(db.prepare('SELECT count(*) AS n FROM tasks').get().n);

  // The API's latency, probed every 100 ms with a request that reads no tasks.
  const latencies = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const t0 = performance.now();
      await manager.get('/v1/join-token').catch(() => null);
      latencies.push(performance.now() - t0);
      await sleep(100);
    }
  })();

  const watch = watchProcess(manager.pid);
  const rssBeforeMB = rssBytes(manager.pid) / (1024 * 1024);
  const t0 = performance.now();
  await manager.post('/v1/services', { ...serviceSpec('big'), replicas });
  const createMs = performance.now() - t0;
  log(`create answered in ${round(createMs)} ms; filling ${replicas} tasks`);

  let filled = 0;
  const fillStart = performance.now();
  const deadline = fillStart + 30 * 60_000;
  while (filled < replicas * stopAt && performance.now() < deadline) {
    await sleep(250);
    filled = taskCount();
  }
  const fillMs = performance.now() - fillStart;
  probing = false;
  await probe;
  const usage = watch.stop();
  const stopStart = performance.now();
  await manager.stop();
  const sigtermExitMs = performance.now() - stopStart;
  db.close();
  await mosquitto.stop();
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'big-service',
      replicas,
      createMs: round(createMs),
      tasksWhenStopped: filled,
      fillMs: round(fillMs),
      apiProbes: latencies.length,
      apiLatencyMs: { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1)) },
      sigtermExitMs: round(sigtermExitMs),
      managerRssMB: { before: round(rssBeforeMB), peak: round(usage.peakRssMB) },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** A process service that no board runs (there are none): its tasks stay pending. */
function serviceSpec(name) {
  return {
    name,
    driver: 'process',
    image: null,
    command: ['/bin/sleep', '3600'],
    entrypoint: null,
    env: {},
    labels: {},
    workdir: null,
    mode: 'replicated',
    replicas: 1,
    placement: { constraints: [], preferences: [], maxReplicasPerNode: 0 },
    resources: { limits: { cpus: null, memoryBytes: null }, reservations: { cpus: null, memoryBytes: null, gpus: null } },
    restartPolicy: { condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 },
    updateConfig: { parallelism: 1, delayMs: 0, order: 'stop-first', failureAction: 'pause' },
    stopGracePeriodMs: 10000,
    thermal: { movable: true },
    stack: null,
  };
}
