/**
 * Rolling update: a replicated process service of `--replicas` (default 100) over `--nodes`
 * (default 20) simulated boards (`kelvin sim`: the real agent session and reconciler, simulated
 * task runtime) and a real manager, updated with parallelism 10, delay 0 and `--monitor` (default
 * 1s; Swarm's default is 5s). Polling the API every 100 ms: how long the rollout takes (the
 * update call to the `completed` status), and how long the service had fewer than
 * replicas - parallelism tasks running (target: zero), with the fewest running seen.
 *
 * Build first: npm run build.
 * Run: node bench/update.mjs [--nodes 20] [--replicas 100] [--parallelism 10] [--monitor 1s]. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDurationMs } from '../dist/shared/units.js';
import { arg, intArg } from './lib/args.mjs';
import { service, startFleet, tasks } from './lib/fleet.mjs';
import { sleep } from './lib/net.mjs';
import { round } from './lib/stats.mjs';

const nodes = intArg('update', 'nodes', '20');
const replicas = intArg('update', 'replicas', '100');
const parallelism = intArg('update', 'parallelism', '10');
const monitorMs = parseDurationMs(arg('monitor', '1s'));
const log = (msg) => console.error(`update: ${msg}`);

async function main() {
  if (monitorMs === null) throw new Error('--monitor: not a duration');
  if (replicas % nodes !== 0) throw new Error('--replicas must be a multiple of --nodes');
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-bench-update-'));
  try {
    const fleet = await startFleet({ dir, nodes, tasksPerBoard: replicas / nodes, durationS: 600, simFlags: [] });
    const { manager } = fleet;
    await fleet.allRunning(120_000);
    log(`${replicas} tasks running on ${nodes} boards; updating`);
    const current = await service(manager);
    const spec = { ...current.spec, env: { ...current.spec.env, RELEASE: '2' }, updateConfig: { ...current.spec.updateConfig, parallelism, delayMs: 0, monitorMs } };
    const floor = replicas - parallelism;
    let belowMs = 0;
    let fewest = replicas;
    let polls = 0;
    const t0 = Date.now();
    await manager.post(`/v1/services/${current.name}/update`, { spec, version: current.version });
    let last = t0;
    let status = null;
    while (Date.now() - t0 < 300_000) {
      const [svc, all] = await Promise.all([service(manager), tasks(manager)]);
      const now = Date.now();
      const running = all.filter((t) => t.desiredState === 'running' && t.state === 'running').length;
      polls++;
      fewest = Math.min(fewest, running);
      if (running < floor) belowMs += now - last;
      last = now;
      status = svc.updateStatus;
      if (status && status.version > current.version && ['completed', 'paused', 'rollback_completed', 'rollback_paused'].includes(status.state)) break;
      await sleep(100);
    }
    const updateMs = status?.completedAt ? status.completedAt - status.startedAt : null;
    await fleet.sim.stop().catch(() => null);
    await fleet.stop();
    console.log(
      JSON.stringify({
        bench: 'update',
        nodes,
        replicas,
        parallelism,
        delayMs: 0,
        monitorMs,
        state: status?.state ?? null,
        updateMs: updateMs === null ? null : round(updateMs),
        batches: Math.ceil(replicas / parallelism),
        belowFloorMs: round(belowMs),
        floor,
        fewestRunning: fewest,
        polls,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
