/**
 * Memory of the manager's telemetry history (issue 16) at fleet scale: a TelemetryHistory from the
 * build fed --nodes boards (every --gpu-every'th one with a GPU) for --seconds of telemetry at 1 s,
 * on a simulated clock, then asked for one board's last hour and day. Reports the bytes the rings
 * hold, the process's growth (heap + ArrayBuffers, after GC), the cost of one sample (the first,
 * which allocates a board's rings, apart) and of a query.
 *
 * Build first: npm run build.
 * Run: node bench/history-memory.mjs [--nodes 10000] [--seconds 180] [--gpu-every 5]. Prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { TelemetryHistory } from '../dist/manager/history/telemetry-history.js';
import { intArg } from './lib/args.mjs';
import { round } from './lib/stats.mjs';

const nodes = intArg('history-memory', 'nodes', '10000');
const seconds = intArg('history-memory', 'seconds', '180');
const gpuEvery = intArg('history-memory', 'gpu-every', '5');

const used = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers, rss: m.rss };
};

const sample = (i, s) => ({
  v: 1,
  ts: 0,
  seq: s,
  cpuTempC: 45 + ((i + s) % 30),
  temps: [],
  voltages: [],
  power: { underVoltageNow: false, underVoltageOccurred: false, throttledNow: false, freqCappedNow: false, softTempLimitNow: false, inputVolts: 5.05 },
  gpus: i % gpuEvery === 0 ? [{ index: 0, tempC: 60 + (s % 10), utilPct: s % 100, memUsedBytes: null, thermalSlowdown: false }] : [],
  gpuStale: false,
  load1: (s % 400) / 100,
  memUsedBytes: null,
});

// Memory is read after a full GC: run again with it exposed.
if (!globalThis.gc) process.exit(spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' }).status ?? 1);
let now = Date.UTC(2026, 0, 1);
const history = new TelemetryHistory({ now: () => now });
const ids = Array.from({ length: nodes }, (_, i) => `node-${i}`);
const before = used();
// The first sample of a board allocates its rings; later ones only write into them.
const tick = (s) => {
  const t0 = performance.now();
  for (let i = 0; i < nodes; i++) history.record(ids[i], now + (i % 1000), sample(i, s));
  now += 1000;
  return performance.now() - t0;
};
const firstMs = tick(0);
let steadyMs = 0;
for (let s = 1; s < seconds; s++) steadyMs += tick(s);
const recordNs = (steadyMs * 1e6) / (nodes * (seconds - 1));
const after = used();
const q = (since, resolution) => {
  const t0 = performance.now();
  for (let k = 0; k < 100; k++) history.query(ids[k % nodes], since, resolution);
  return round((performance.now() - t0) / 100, 3);
};
const result = {
  bench: 'history-memory',
  nodes,
  gpuBoards: Math.ceil(nodes / gpuEvery),
  seconds,
  ringBytes: history.bytes,
  ringBytesPerNode: Math.round(history.bytes / nodes),
  heapGrowthMB: round((after.heap - before.heap) / 2 ** 20, 1),
  arrayBufferGrowthMB: round((after.arrayBuffers - before.arrayBuffers) / 2 ** 20, 1),
  totalGrowthMB: round((after.heap + after.arrayBuffers - before.heap - before.arrayBuffers) / 2 ** 20, 1),
  rssMB: round(after.rss / 2 ** 20, 1),
  firstSampleOfEveryBoardMs: round(firstMs, 0),
  recordNsPerSample: round(recordNs, 0),
  cpuShareAt1Hz: round((recordNs * nodes) / 1e9, 4),
  query1hMs: q(3_600_000, '1s'),
  query24hMs: q(86_400_000, '1m'),
};
console.log(JSON.stringify(result));
