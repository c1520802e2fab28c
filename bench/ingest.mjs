/**
 * Ingest: telemetry messages per second a real `kelvin manager` fully processes (decode, schema
 * check, node state update, heat and power policy), side by side in one run with a bare MQTT.js
 * subscriber that only parses the JSON, both subscribed on the same Mosquitto to the same stream.
 * One lean publisher sends valid telemetry of 100 boards registered with the manager (facts and
 * online status first, so the policy evaluates every sample) as fast as Mosquitto takes it. Each
 * consumer's rate is what it got through in the measured window (the manager's from its
 * kelvin_telemetry_messages_total{result="accepted"}); a consumer slower than the stream has its
 * excess dropped by Mosquitto, so its rate is its capacity while the other consumers, the broker
 * and the publisher share the same cores.
 *
 * The whole measurement runs twice in one run: over plain MQTT, then over TLS (Mosquitto's listener
 * with a certificate from the cluster CA, as `kelvin manager broker-config mosquitto` sets it up;
 * publisher, manager and bare subscriber all on mqtts://). `tlsRatio` is the manager's TLS rate over
 * its plain rate (medians over `--rounds`, plain and TLS alternating).
 *
 * Build first: npm run build.
 * Run: node bench/ingest.mjs [--seconds 30] [--boards 100] [--rounds 1] [--profile DIR]. Prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setImmediate } from 'node:timers';
import { connectAsync } from 'mqtt';
import { AGENT_VERSION } from '../dist/agent/daemon.js';
import { BOARD_TYPES, loadThermalLimits } from '../dist/agent/sim/board-types.js';
import { createPrng } from '../dist/agent/sim/prng.js';
import { SimBoard } from '../dist/agent/sim/sim-board.js';
import { issueServerTls } from '../dist/manager/tls/cluster-tls.js';
import { arg, intArg } from './lib/args.mjs';
import { ROOT, registerNodes, startManager, startMosquitto } from './lib/cluster.mjs';
import { sleep, waitFor } from './lib/net.mjs';
import { watchProcess } from './lib/proc.mjs';
import { round } from './lib/stats.mjs';

const seconds = intArg('ingest', 'seconds', '30');
const boards = intArg('ingest', 'boards', '100');
const rounds = intArg('ingest', 'rounds', '1');
const profileDir = arg('profile', null);
const WARMUP_MS = 2000;
/** Publishes not yet written to the socket; bounds the publisher's memory while it saturates. */
const MAX_OUTSTANDING = 500;

/** One simulated Pi 4 per id: its facts and one reading to send (with a fresh ts and seq) again and again. */
async function boardsFor(ids) {
  const limits = loadThermalLimits().pi4;
  return Promise.all(
    ids.map(async (nodeId, i) => {
      const board = new SimBoard({ nodeId, type: BOARD_TYPES.pi4, limits, random: createPrng(i + 1), now: Date.now });
      board.powerOn();
      const facts = { v: 1, ...(await board.readFacts()), nodeId, engineLabels: { 'sim.board': 'pi4' }, drivers: ['process'], agentVersion: AGENT_VERSION };
      return { nodeId, bootId: board.bootId, facts, reading: await board.sample(), seq: 0 };
    }),
  );
}

function startBareSubscriber(url, caFile) {
  const proc = spawn(process.execPath, [join(ROOT, 'bench/lib/bare-subscriber.mjs'), url, ...(caFile ? [caFile] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const state = { proc, count: 0, subscribed: false };
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (line === 'subscribed') state.subscribed = true;
    else state.count = Number(line);
  });
  process.on('exit', () => proc.kill('SIGKILL'));
  return state;
}

/** The cluster's TLS files where Mosquitto, after dropping to its own user, can read them. */
function brokerTlsFiles(dir, tls) {
  const out = join(dir, 'broker-tls');
  mkdirSync(out, { mode: 0o755 });
  chmodSync(dir, 0o755);
  const files = { cafile: join(out, 'ca.pem'), certfile: join(out, 'server.pem'), keyfile: join(out, 'server.key') };
  writeFileSync(files.cafile, tls.ca.certPem);
  writeFileSync(files.certfile, tls.cert);
  writeFileSync(files.keyfile, tls.key, { mode: 0o644 });
  return files;
}

/** One measurement, over plain MQTT or TLS, in its own temp dir. */
async function measure(transport) {
  const dir = mkdtempSync(join(tmpdir(), `kelvin-bench-ingest-${transport}-`));
  try {
    const ids = Array.from({ length: boards }, (_, i) => `ingest-${String(i + 1).padStart(4, '0')}`);
    const dataDir = join(dir, 'manager');
    registerNodes(dataDir, ids);
    const tls = transport === 'tls' ? issueServerTls(dataDir, ['127.0.0.1']) : null;
    const mosquitto = await startMosquitto(dir, { tls: tls && brokerTlsFiles(dir, tls) });
    const ca = tls ? { ca: readFileSync(tls.ca.certPath) } : {};
    const caArgs = tls ? ['--broker-ca', tls.ca.certPath] : [];
    const nodeFlags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const manager = await startManager({ dir, brokerUrl: mosquitto.url, args: caArgs, nodeFlags });
    const bare = startBareSubscriber(mosquitto.url, tls?.ca.certPath);
    await waitFor('the bare subscriber', () => bare.subscribed, 10_000);

    const fleet = await boardsFor(ids);
    const pub = await connectAsync(mosquitto.url, { reconnectPeriod: 0, ...ca });
    for (const b of fleet) {
      const base = `kelvin/v1/nodes/${b.nodeId}`;
      await pub.publishAsync(`${base}/facts`, JSON.stringify(b.facts), { qos: 1, retain: true });
      await pub.publishAsync(`${base}/status`, JSON.stringify({ v: 1, state: 'online', bootId: b.bootId, clean: false, ts: Date.now() }), { qos: 1 });
    }
    await waitFor(`${boards} nodes ready`, async () => (await manager.metrics()).value('kelvin_nodes{state="ready"}') === boards, 20_000, 200);

    let published = 0;
    let outstanding = 0;
    let stop = false;
    const publishing = (async () => {
      for (let i = 0; !stop; i++) {
        const b = fleet[i % fleet.length];
        pub.publish(`kelvin/v1/nodes/${b.nodeId}/telemetry`, JSON.stringify({ ...b.reading, v: 1, seq: b.seq++, ts: Date.now() }), { qos: 0 }, () => outstanding--);
        outstanding++;
        published++;
        // Let the socket drain (and timers run) before running far ahead of it.
        while (outstanding > MAX_OUTSTANDING && !stop) await new Promise((r) => setImmediate(r));
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      }
    })();

    await sleep(WARMUP_MS);
    const accepted = async () => (await manager.metrics()).value('kelvin_telemetry_messages_total{result="accepted"}');
    const start = { manager: await accepted(), bare: bare.count, published, watch: watchProcess(manager.pid) };
    await sleep(seconds * 1000);
    const end = { manager: await accepted(), bare: bare.count, published };
    const usage = start.watch.stop();
    stop = true;
    await publishing;
    const rejected = (await manager.metrics()).value('kelvin_telemetry_messages_total{result="rejected"}');
    await pub.endAsync();
    bare.proc.kill('SIGTERM');
    await manager.stop();
    await mosquitto.stop();

    const rate = (a, b) => (b - a) / usage.wallS;
    const managerRate = rate(start.manager, end.manager);
    const bareRate = rate(start.bare, end.bare);
    return {
      seconds: round(usage.wallS, 1),
      offeredPerSecond: round(rate(start.published, end.published), 0),
      managerPerSecond: round(managerRate, 0),
      barePerSecond: round(bareRate, 0),
      ratio: round(managerRate / bareRate, 3),
      managerCpuPctOfCore: round(usage.cpuPctOfCore, 1),
      managerPeakRssMB: round(usage.peakRssMB, 1),
      rejected,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  // Plain and TLS alternate, so a load change on a shared machine hits both alike.
  const runs = { plain: [], tls: [] };
  for (let i = 0; i < rounds; i++) {
    runs.plain.push(await measure('plain'));
    runs.tls.push(await measure('tls'));
  }
  const medianRun = (list) => [...list].sort((a, b) => a.managerPerSecond - b.managerPerSecond)[Math.floor(list.length / 2)];
  const plain = medianRun(runs.plain);
  const tls = medianRun(runs.tls);
  console.log(
    JSON.stringify({
      bench: 'ingest',
      machine: `${cpus().length} cores shared by publisher, Mosquitto, manager and bare subscriber`,
      boards,
      rounds,
      plain,
      tls,
      tlsRatio: round(tls.managerPerSecond / plain.managerPerSecond, 3),
      tlsRatioPerRound: runs.tls.map((t, i) => round(t.managerPerSecond / runs.plain[i].managerPerSecond, 3)),
      target: { ratio: 0.5, tlsRatio: 0.7 },
    }),
  );
}

await main();
