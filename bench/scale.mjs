/**
 * Scale: N simulated boards (`kelvin sim`, telemetry every 1 s) against one real `kelvin manager`
 * on Debian's Mosquitto, all on this machine. For each N, over a window after every board has
 * connected: the manager's CPU (% of one core) and peak RSS from /proc; p99 from the sample's
 * timestamp to the manager having updated the node's state and run the heat policy on it (the
 * manager's kelvin_ingest_lag_seconds histogram, interpolated in its buckets, plus the share at or
 * under 250 ms, which is exact: 0.25 s is a bucket bound); and telemetry lost over the whole run
 * (the simulator's published count against the manager's accepted count). Mosquitto's and the
 * simulator's CPU are printed too: they share the machine's cores with the manager.
 *
 * Build first: npm run build.
 * Run: node bench/scale.mjs [--nodes 1000,5000,10000] [--seconds 60] [--profile DIR]
 * (--profile writes the manager's --cpu-prof there). Prints one JSON line.
 */
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { arg, intArg } from './lib/args.mjs';
import { bucketsBetween, registerNodes, simNodeIds, startManager, startMosquitto, startSim } from './lib/cluster.mjs';
import { sleep, waitFor } from './lib/net.mjs';
import { watchProcess } from './lib/proc.mjs';
import { histogramQuantile, round, shareAtMost } from './lib/stats.mjs';

const fleetSizes = arg('nodes', '1000,5000,10000').split(',').map(Number);
if (fleetSizes.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000)) {
  console.error('scale: --nodes must be whole numbers from 1 to 10000, comma separated');
  process.exit(2);
}
const seconds = intArg('scale', 'seconds', '60');
const profileDir = arg('profile', null);
const log = (msg) => console.error(`scale: ${msg}`);

async function runOne(nodes) {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-bench-scale-'));
  try {
    const mosquitto = await startMosquitto(dir);
    const token = registerNodes(join(dir, 'manager'), simNodeIds(nodes));
    const nodeFlags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const manager = await startManager({ dir, brokerUrl: mosquitto.url, nodeFlags });
    // Connects spread at about 1,000 a second, as boards coming up over a minute would be.
    const rampS = Math.max(1, Math.ceil(nodes / 1000));
    const warmupS = rampS + 5;
    log(`${nodes} boards: ramp ${rampS}s, warm-up ${warmupS}s, measuring ${seconds}s`);
    const sim = startSim(dir, ['--broker', mosquitto.url, '--token', token, '--nodes', String(nodes), '--interval', '1s', '--ramp', `${rampS}s`, '--duration', `${warmupS + seconds + 2}s`, '--status-every', '10s']);
    await sleep(warmupS * 1000);
    const ready = (await manager.metrics()).value('kelvin_nodes{state="ready"}');
    const before = await manager.metrics();
    const watch = { manager: watchProcess(manager.pid), mosquitto: watchProcess(mosquitto.pid), sim: watchProcess(sim.pid) };
    await sleep(seconds * 1000);
    const usage = Object.fromEntries(Object.entries(watch).map(([k, w]) => [k, w.stop()]));
    const after = await manager.metrics();
    const summary = await sim.summary;
    // QoS 0 samples still in flight when the simulator stopped: give the manager a moment to drain.
    const accepted = async () => (await manager.metrics()).value('kelvin_telemetry_messages_total{result="accepted"}');
    await waitFor('the manager to drain', async () => (await accepted()) >= summary.telemetryPublished, 5000, 250).catch(() => null);
    const final = await manager.metrics();
    await manager.stop();
    await mosquitto.stop();
    const lag = bucketsBetween(before, after, 'kelvin_ingest_lag_seconds');
    const processed = after.value('kelvin_telemetry_messages_total{result="accepted"}') - before.value('kelvin_telemetry_messages_total{result="accepted"}');
    const acceptedTotal = final.value('kelvin_telemetry_messages_total{result="accepted"}');
    return {
      nodes,
      readyAtWindowStart: ready,
      telemetryPerSecond: round(processed / usage.manager.wallS, 1),
      lagP50Ms: round((histogramQuantile(lag, 0.5) ?? NaN) * 1000, 1),
      lagP99Ms: round((histogramQuantile(lag, 0.99) ?? NaN) * 1000, 1),
      shareLagAtMost250Ms: round(shareAtMost(lag, 0.25), 5),
      manager: { cpuPctOfCore: round(usage.manager.cpuPctOfCore, 1), peakRssMB: round(usage.manager.peakRssMB, 1) },
      mosquitto: { cpuPctOfCore: round(usage.mosquitto.cpuPctOfCore, 1), peakRssMB: round(usage.mosquitto.peakRssMB, 1) },
      sim: { cpuPctOfCore: round(usage.sim.cpuPctOfCore, 1), peakRssMB: round(usage.sim.peakRssMB, 1), telemetryPerSecond: summary.telemetryPerSecond, target: summary.telemetryPerSecondTarget },
      telemetryPublished: summary.telemetryPublished,
      telemetryAccepted: acceptedTotal,
      telemetryRejected: final.value('kelvin_telemetry_messages_total{result="rejected"}'),
      lost: summary.telemetryPublished - acceptedTotal,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs = [];
for (const n of fleetSizes) {
  runs.push(await runOne(n));
  log(JSON.stringify(runs.at(-1)));
}
console.log(
  JSON.stringify({
    bench: 'scale',
    machine: `${cpus().length} cores shared by simulator, Mosquitto and manager`,
    intervalMs: 1000,
    seconds,
    runs,
    targets: { at: 10_000, lagP99Ms: 250, managerRssMB: 1024, lost: 0 },
  }),
);
