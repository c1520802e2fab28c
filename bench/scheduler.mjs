/**
 * Scheduler throughput: placements per second at 1,000 and 10,000 nodes, next to a naive first-fit
 * (walk the nodes in order, take the first that passes the same filters; no scoring).
 *
 * Fleet: 60% Raspberry Pi 4 (aarch64), 20% Jetson Orin (aarch64, gpu=true), 20% x86 with NVIDIA GPUs
 * (gpu=true); 8 zones and 4 racks in labels; a few nodes not ready, paused or drained; some tasks
 * already running. Workload: 20,000 tasks over 6 services with constraints, spread and reservations.
 *
 * Build first: npm run build. Run: node bench/scheduler.mjs. Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { scheduleTasks } from '../dist/manager/scheduler/index.js';
import { matchConstraints, parseConstraints } from '../dist/shared/constraints/index.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const BOARDS = [
  { share: 0.6, arch: 'aarch64', labels: { board: 'pi4' }, cpus: 4, memoryBytes: 8 * GiB, gpus: 0, drivers: ['docker', 'process'] },
  { share: 0.2, arch: 'aarch64', labels: { board: 'orin', gpu: 'true', 'gpu.vendor': 'jetson' }, cpus: 12, memoryBytes: 32 * GiB, gpus: 1, drivers: ['docker', 'process'] },
  { share: 0.2, arch: 'x86_64', labels: { board: 'pc', gpu: 'true', 'gpu.vendor': 'nvidia' }, cpus: 16, memoryBytes: 64 * GiB, gpus: 2, drivers: ['docker'] },
];

const SERVICES = [
  { id: 'telemetry', count: 7000, driver: 'process', constraints: ['node.platform.arch==arm64'], spread: ['node.labels.zone'], max: 0, cpus: 0.25, memoryBytes: 128 * MiB, gpus: 0 },
  { id: 'web', count: 5000, driver: 'docker', constraints: [], spread: ['node.labels.zone'], max: 2, cpus: 0.5, memoryBytes: 256 * MiB, gpus: 0 },
  { id: 'infer', count: 1500, driver: 'docker', constraints: ['node.labels.gpu==true'], spread: ['node.labels.zone', 'engine.labels.rack'], max: 0, cpus: 1, memoryBytes: 2 * GiB, gpus: 1 },
  { id: 'cuda', count: 1000, driver: 'docker', constraints: ['node.labels.gpu.vendor==nvidia', 'node.platform.arch==x86_64'], spread: [], max: 1, cpus: 2, memoryBytes: 4 * GiB, gpus: 0 },
  { id: 'cache', count: 2500, driver: 'docker', constraints: ['node.labels.zone!=zone-7', 'node.hw.memory>=8GiB'], spread: ['engine.labels.rack'], max: 3, cpus: 0.5, memoryBytes: 512 * MiB, gpus: 0 },
  { id: 'batch', count: 3000, driver: 'docker', constraints: ['node.hw.cpu.cores>=8'], spread: [], max: 0, cpus: 1, memoryBytes: GiB, gpus: 0 },
];

/** Deterministic pseudo-random numbers (mulberry32), so every run sees the same fleet. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fleet(size) {
  const random = seeded(size);
  return Array.from({ length: size }, (_, i) => {
    const roll = random();
    const board = roll < 0.6 ? BOARDS[0] : roll < 0.8 ? BOARDS[1] : BOARDS[2];
    const running = random() < 0.3 ? 1 : 0;
    return {
      subject: {
        id: `node-${String(i).padStart(5, '0')}`,
        hostname: `edge-${i}`,
        role: 'worker',
        platform: { os: 'linux', arch: board.arch },
        labels: { ...board.labels, zone: `zone-${Math.floor(random() * 8)}` },
        engineLabels: { rack: `rack-${Math.floor(random() * 4)}` },
        hw: { cpuCores: board.cpus, memoryBytes: board.memoryBytes, gpuCount: board.gpus, gpuMemoryBytes: board.gpus > 0 ? 8 * GiB : 0 },
      },
      ready: random() > 0.01,
      availability: random() < 0.02 ? (random() < 0.5 ? 'pause' : 'drain') : 'active',
      drivers: board.drivers,
      capacity: { cpus: board.cpus, memoryBytes: board.memoryBytes, gpus: board.gpus },
      reserved: { cpus: running * 0.5, memoryBytes: running * 256 * MiB, gpus: 0 },
      tasksByService: new Map(running ? [['web', 1]] : []),
      totalTasks: running,
      load1: Math.round(random() * 40) / 10,
    };
  });
}

function workload(scale) {
  const requests = [];
  for (const s of SERVICES) {
    const constraints = parseConstraints(s.constraints);
    const reservations = { cpus: s.cpus, memoryBytes: s.memoryBytes, gpus: s.gpus };
    for (let i = 1; i <= Math.round(s.count * scale); i++) {
      requests.push({ taskId: `${s.id}.${i}`, serviceId: s.id, serviceName: s.id, driver: s.driver, constraints, spread: s.spread, maxReplicasPerNode: s.max, reservations });
    }
  }
  return requests;
}

/** The baseline: same filters, checked node by node in input order; the first node that passes wins. */
function firstFit(requests, input) {
  const nodes = input.map((n) => ({ ...n, reserved: { ...n.reserved }, tasksByService: new Map(n.tasksByService) }));
  const placements = new Map();
  const pending = new Map();
  const passes = (r, n) =>
    n.ready &&
    n.availability === 'active' &&
    n.drivers.includes(r.driver) &&
    matchConstraints(r.constraints, n.subject) === null &&
    r.reservations.cpus <= n.capacity.cpus - n.reserved.cpus + 1e-9 &&
    r.reservations.memoryBytes <= n.capacity.memoryBytes - n.reserved.memoryBytes &&
    r.reservations.gpus <= n.capacity.gpus - n.reserved.gpus &&
    (r.maxReplicasPerNode === 0 || (n.tasksByService.get(r.serviceId) ?? 0) < r.maxReplicasPerNode);
  for (const r of requests) {
    const n = nodes.find((candidate) => passes(r, candidate));
    if (n === undefined) {
      pending.set(r.taskId, 'no suitable node');
      continue;
    }
    n.reserved.cpus += r.reservations.cpus;
    n.reserved.memoryBytes += r.reservations.memoryBytes;
    n.reserved.gpus += r.reservations.gpus;
    n.totalTasks += 1;
    n.tasksByService.set(r.serviceId, (n.tasksByService.get(r.serviceId) ?? 0) + 1);
    placements.set(r.taskId, n.subject.id);
  }
  return { placements, pending };
}

function timed(run) {
  const start = performance.now();
  const result = run();
  const seconds = (performance.now() - start) / 1000;
  return { seconds, placed: result.placements.size, pending: result.pending.size };
}

function measure(size) {
  const nodes = fleet(size);
  const requests = workload(1);
  const scheduler = timed(() => scheduleTasks(requests, nodes));
  const naive = timed(() => firstFit(requests, nodes));
  const rate = (r) => Math.round(r.placed / r.seconds);
  return {
    nodes: size,
    tasks: requests.length,
    scheduler: { placementsPerSec: rate(scheduler), placed: scheduler.placed, pending: scheduler.pending, ms: Math.round(scheduler.seconds * 1000) },
    naiveFirstFit: { placementsPerSec: rate(naive), placed: naive.placed, pending: naive.pending, ms: Math.round(naive.seconds * 1000) },
    vsNaive: Number((rate(scheduler) / rate(naive)).toFixed(2)),
  };
}

// Warm both paths up so the JIT does not favour whichever runs second.
scheduleTasks(workload(0.05), fleet(200));
firstFit(workload(0.05), fleet(200));

const runs = [1000, 10000].map(measure);
const at10k = runs[1];
console.log(
  JSON.stringify({
    bench: 'scheduler',
    node: process.version,
    runs,
    targets: { placementsPerSecAt10k: 5000, vsNaive: 0.5 },
    met: at10k.scheduler.placementsPerSec >= 5000 && runs.every((r) => r.vsNaive >= 0.5),
  }),
);
