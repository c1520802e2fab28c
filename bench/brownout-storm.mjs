/**
 * Brownout storm: N simulated boards (`kelvin sim --scenario brownout-storm`) each running about two
 * tasks of a replicated process service; once all run, 5 % of the boards lose power at the same
 * moment (last sample flagged under-voltage, then the connection dies without a goodbye) and boot
 * again 20 s later with new boot ids and no tasks. Figures: time from the first node.down (the
 * manager's event log) until every replica runs again on a ready board (API polled every 500 ms),
 * and after the boards are back and things settle, duplicates: replica slots with more than one
 * running task in the manager's view, and tasks the simulated boards actually run beyond the
 * replica count (target 0 for both). The manager runs with its defaults (node timeout 5 s).
 *
 * Build first: npm run build.
 * Run: node bench/brownout-storm.mjs [--nodes 1000] [--down 20]. Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { intArg } from './lib/args.mjs';
import { startFleet, tasks } from './lib/fleet.mjs';
import { sleep, waitFor } from './lib/net.mjs';

const nodes = intArg('brownout-storm', 'nodes', '1000');
const downS = intArg('brownout-storm', 'down', '20');
/**
 * When the sim drops the boards, counted from its start: time for every board to come up (the
 * ramp, about 1,000 a second, plus the wait for all ready) and for every replica to start (about
 * 8 s for 2,000 replicas on 1,000 boards here), with ample margin on a shared machine. The storm
 * must hit a fleet with everything running, so the bench waits for that until STORM_MARGIN_S
 * before the storm and fails clearly if it does not come.
 */
const STORM_AT_S = 25 + Math.ceil(nodes / 50);
const STORM_MARGIN_S = 3;
const SETTLE_S = 10;
const log = (msg) => console.error(`brownout-storm: ${msg}`);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-bench-brownout-'));
  try {
    const durationS = STORM_AT_S + downS + SETTLE_S + 15;
    const fleet = await startFleet({
      dir,
      nodes,
      tasksPerBoard: 2,
      durationS,
      simFlags: ['--scenario', 'brownout-storm', '--brownout-share', '5', '--brownout-at', `${STORM_AT_S}s`, '--brownout-down', `${downS}s`],
    });
    const { manager } = fleet;
    const allRunningAfterMs = await fleet.allRunning(fleet.simStartedAt + (STORM_AT_S - STORM_MARGIN_S) * 1000 - Date.now());
    const since = Date.now();
    const downs = await waitFor('the storm', async () => {
      const events = (await manager.get(`/v1/events?since=${since}`)).filter((e) => e.kind === 'node.down');
      return events.length > 0 ? events : null;
    }, fleet.simStartedAt + (STORM_AT_S + 15) * 1000 - Date.now(), 250);
    const stormAt = Math.min(...downs.map((e) => e.at));
    const downNodes = async () => new Set((await manager.get('/v1/nodes')).filter((n) => n.status !== 'ready').map((n) => n.id));
    const rescheduledAt = await waitFor('every replica running on a ready board', async () => {
      const [down, all] = await Promise.all([downNodes(), tasks(manager)]);
      const running = all.filter((t) => t.desiredState === 'running' && t.state === 'running' && !down.has(t.nodeId));
      return running.length === fleet.replicas ? Date.now() : null;
    }, 60_000, 500);
    const boardsDown = (await manager.get(`/v1/events?since=${since}`)).filter((e) => e.kind === 'node.down').length;

    // The boards come back with new boot ids; then the fleet settles.
    await sleep(Math.max(0, stormAt + downS * 1000 + SETTLE_S * 1000 - Date.now()));
    const after = await tasks(manager);
    const runningBySlot = new Map();
    for (const t of after) if (t.state === 'running') runningBySlot.set(t.slot, (runningBySlot.get(t.slot) ?? 0) + 1);
    const reboots = (await manager.get(`/v1/events?since=${since}`)).filter((e) => e.kind === 'node.reboot').length;
    const summary = await fleet.sim.stop(); // its duration is only a backstop; the count is taken now
    await fleet.stop();
    console.log(
      JSON.stringify({
        bench: 'brownout-storm',
        machine: `${cpus().length} cores shared by simulator, Mosquitto and manager; API polled every 500 ms`,
        nodes,
        replicas: fleet.replicas,
        allRunningAfterMs,
        boardsDown,
        boardsBackWithNewBootId: reboots,
        rescheduledAfterMs: rescheduledAt - stormAt,
        duplicateSlots: [...runningBySlot.values()].filter((n) => n > 1).length,
        simTasksRunningAtEnd: summary.tasksRunningAtEnd,
        simTasksBeyondReplicas: summary.tasksRunningAtEnd - fleet.replicas,
        nodeTimeoutMs: 5000,
        targets: { duplicateSlots: 0, simTasksBeyondReplicas: 0 },
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

log(`${nodes} boards, storm at ${STORM_AT_S}s, down ${downS}s`);
await main();
