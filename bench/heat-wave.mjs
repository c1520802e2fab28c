/**
 * Heat wave: N simulated boards (`kelvin sim --scenario heat-wave`) each running about two tasks of
 * a replicated process service; 10 % of them lose cooling within the first 10 s and heat up with
 * their thermal time constant. Polling the manager's API once a second: for each board that turns
 * hot or critical, the time until none of the service's tasks is left on it (every replacement
 * placed on a board that is not hot and running); the time until every replica runs on a board
 * that is not hot; tasks left on critical boards at the end (target 0); and thermal alerts sent
 * (kelvin_alerts_total) against thermal state changes seen (no storm: about one alert per change).
 * The manager runs with its defaults (thermal sustain 10 s: a hot board is emptied after 10 s hot;
 * a critical one at once).
 *
 * Build first: npm run build.
 * Run: node bench/heat-wave.mjs [--nodes 1000] [--seconds 120]. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { intArg } from './lib/args.mjs';
import { startFleet, tasks } from './lib/fleet.mjs';
import { sleep } from './lib/net.mjs';
import { percentile, round } from './lib/stats.mjs';

const nodes = intArg('heat-wave', 'nodes', '1000');
const seconds = intArg('heat-wave', 'seconds', '120');
const HOT = new Set(['hot', 'critical']);
const log = (msg) => console.error(`heat-wave: ${msg}`);

const isActive = (t) => t.desiredState === 'running' && t.state !== 'pending' && !['complete', 'shutdown', 'failed', 'rejected', 'orphaned'].includes(t.state);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-bench-heat-'));
  try {
    const fleet = await startFleet({ dir, nodes, tasksPerBoard: 2, durationS: seconds, simFlags: ['--scenario', 'heat-wave', '--heat-share', '10', '--heat-within', '10s'] });
    const { manager } = fleet;
    const before = await manager.metrics();
    const state = new Map(); // node id -> last thermal state seen
    const hotAt = new Map();
    const clearedAt = new Map();
    let transitions = 0;
    let allRunningAt = null;
    let maxRunningSeen = 0;
    let allOnCoolAt = null;
    let last = { nodes: [], tasks: [] };
    while (Date.now() - fleet.simStartedAt < (seconds - 3) * 1000) {
      const now = Date.now() - fleet.startedAt;
      const [nodeViews, taskViews] = await Promise.all([manager.get('/v1/nodes'), tasks(manager)]);
      last = { nodes: nodeViews, tasks: taskViews };
      const hotNodes = new Set();
      for (const n of nodeViews) {
        const s = n.thermal?.state ?? 'normal';
        if (state.has(n.id) && state.get(n.id) !== s) transitions++;
        state.set(n.id, s);
        if (HOT.has(s)) hotNodes.add(n.id);
        if (HOT.has(s) && !hotAt.has(n.id)) hotAt.set(n.id, now);
      }
      const active = taskViews.filter(isActive);
      const onNode = new Map();
      for (const t of active) onNode.set(t.nodeId, (onNode.get(t.nodeId) ?? 0) + 1);
      for (const id of hotAt.keys()) if (!clearedAt.has(id) && !onNode.has(id)) clearedAt.set(id, now);
      const running = active.filter((t) => t.state === 'running');
      maxRunningSeen = Math.max(maxRunningSeen, running.length);
      if (allRunningAt === null && running.length === fleet.replicas) allRunningAt = now;
      const runningCool = running.filter((t) => !hotNodes.has(t.nodeId)).length;
      if (hotAt.size > 0 && runningCool === fleet.replicas && [...hotAt.keys()].every((id) => clearedAt.has(id))) allOnCoolAt ??= now;
      else if (hotNodes.size > 0) allOnCoolAt = null; // a board turned hot later: not settled yet
      await sleep(1000);
    }
    const after = await manager.metrics();
    const summary = await fleet.sim.summary;
    await fleet.stop();

    const critical = new Set(last.nodes.filter((n) => n.thermal?.state === 'critical').map((n) => n.id));
    const thermalAlerts = {};
    for (const kind of ['thermal.throttle', 'thermal.failover', 'thermal.recovered', 'thermal.no-target']) {
      thermalAlerts[kind] = after.value(`kelvin_alerts_total{kind="${kind}"}`) - before.value(`kelvin_alerts_total{kind="${kind}"}`);
    }
    // Where the replicas are at the end, by desired/actual state: shows why a count stops short.
    const tasksByState = {};
    for (const t of last.tasks) tasksByState[`${t.desiredState}/${t.state}`] = (tasksByState[`${t.desiredState}/${t.state}`] ?? 0) + 1;
    const evacuations = [...hotAt].filter(([id]) => clearedAt.has(id)).map(([id, at]) => clearedAt.get(id) - at).sort((a, b) => a - b);
    const firstHot = Math.min(...hotAt.values());
    console.log(
      JSON.stringify({
        bench: 'heat-wave',
        machine: `${cpus().length} cores shared by simulator, Mosquitto and manager; API polled every 1 s`,
        nodes,
        replicas: fleet.replicas,
        allRunningAfterMs: allRunningAt,
        maxRunningSeen,
        tasksByState,
        boardsHot: hotAt.size,
        boardsEmptied: evacuations.length,
        emptyAfterHotP50Ms: percentile(evacuations, 50),
        emptyAfterHotMaxMs: evacuations.at(-1) ?? null,
        allOnCoolBoardsAfterFirstHotMs: allOnCoolAt === null || hotAt.size === 0 ? null : allOnCoolAt - firstHot,
        tasksLeftOnCriticalBoards: last.tasks.filter((t) => isActive(t) && critical.has(t.nodeId)).length,
        migrations: after.value('kelvin_migrations_total') - before.value('kelvin_migrations_total'),
        thermalTransitionsSeen: transitions,
        thermalAlerts,
        alertsPerTransition: transitions === 0 ? null : round(Object.values(thermalAlerts).reduce((a, b) => a + b, 0) / transitions, 2),
        hottest: summary.hottest,
        targets: { tasksLeftOnCriticalBoards: 0 },
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

log(`${nodes} boards for ${seconds}s`);
await main();
