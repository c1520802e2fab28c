/**
 * Failover latency (issue 6), with the real `kelvin manager` and `kelvin agent` processes (dist/)
 * on writable copies of the Pi 4 fixture board, and a one-replica process-driver service:
 *
 *   (a) heat: the moment the board's temperature files are written critical (85 C) -> the
 *       replacement task running on the other board. A critical reading migrates at once.
 *   (b) node loss: `kill -9` of the agent running the task -> the replacement running elsewhere.
 *
 * "Running" is the manager's receive time of the replacement's `running` task-status (the task's
 * startedAt in the API; same machine, same clock as the start mark), so the API polling interval
 * does not add to the figure. Manager and agents run with their defaults (node timeout 5s, thermal
 * sustain 10s, telemetry every 1s, keepalive 10s), except --thermal-hold 2s, which only shortens the
 * wait for a cooled board to take work again between trials and is not part of any measured span.
 * Each node-loss trial kills a node for good and starts a fresh spare in its place, so no node
 * drops often enough to be quarantined as flapping (which would make it no target).
 *
 * Build first: npm run build.
 * Run: node bench/failover.mjs [--trials 20]. Prints one JSON line; progress goes to stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeTaskCgroup } from '../dist/agent/runtime/process/cgroup-cpu-limiter.js';
import { intArg } from './lib/args.mjs';
import { freePort, sleep, waitFor } from './lib/net.mjs';
import { percentile } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KELVIN = join(ROOT, 'dist/cli/main.js');
const FIXTURE = join(ROOT, 'test/fixtures/boards/rpi4');
const NODE_TIMEOUT_MS = 5000;
const COOL_C = 55;
const CRITICAL_C = 85;

const trials = intArg('failover', 'trials', '20');
// Node 20 has fetch built in; the lint config lists only the older globals for scripts.
const { fetch } = globalThis;
const log = (msg) => console.error(`failover: ${msg}`);

function summary(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  return { trials: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), minMs: sorted[0], maxMs: sorted[sorted.length - 1] };
}

// ---- boards --------------------------------------------------------------------------------

function replaceFile(path, text) {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function filesUnder(dir, wanted) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, wanted));
    else if (e.isFile() && wanted(e.name, dir)) out.push(p);
  }
  return out;
}

/** A writable Pi 4 board: cool, no under-voltage, its own boot id. */
function makeBoard(dir) {
  cpSync(FIXTURE, dir, { recursive: true, verbatimSymlinks: true });
  const temps = filesUnder(join(dir, 'sys'), (n, parent) => (n === 'temp' && /thermal_zone\d+$/.test(parent)) || /^temp\d+_input$/.test(n));
  for (const f of filesUnder(join(dir, 'sys'), (n) => n === 'get_throttled')) replaceFile(f, '0\n');
  for (const f of filesUnder(join(dir, 'sys'), (n) => /^in\d+_lcrit_alarm$/.test(n))) replaceFile(f, '0\n');
  replaceFile(join(dir, 'proc/sys/kernel/random/boot_id'), `${randomUUID()}\n`);
  const board = { root: dir, setTempC: (c) => temps.forEach((f) => replaceFile(f, `${c * 1000}\n`)) };
  board.setTempC(COOL_C);
  return board;
}

// ---- cluster -------------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'kelvin-bench-failover-'));
const marker = `kelvin-bench-failover-${process.pid}`;
const children = new Set();
const taskIds = new Set();
let api = '';
let adminToken = '';
let joinToken = '';
let mqttPort = 0;

/** Logs of every process go to <work>/<name>.log (critical alerts log at error level: too loud for stderr). */
function spawnKelvin(name, args, env) {
  const out = openSync(join(work, `${name}.log`), 'a');
  const child = spawn(process.execPath, [KELVIN, ...args], { stdio: ['ignore', out, out], env: { ...env, KELVIN_LOG_LEVEL: 'warn' } });
  closeSync(out);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function kelvin(...args) {
  const r = spawnSync(process.execPath, [KELVIN, ...args], { env: { ...process.env, KELVIN_HOST: api, KELVIN_TOKEN: adminToken }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kelvin ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

async function get(path) {
  const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return res.json();
}

async function startManager() {
  const http = await freePort();
  mqttPort = await freePort();
  const dataDir = join(work, 'manager');
  spawnKelvin('manager', ['manager', '--no-agent', '--data-dir', dataDir, '--mqtt-port', String(mqttPort), '--mqtt-host', '127.0.0.1', '--http', `127.0.0.1:${http}`, '--thermal-hold', '2s'], process.env);
  api = `http://127.0.0.1:${http}`;
  await waitFor('the manager API', () => fetch(`${api}/`).then(() => true), 20_000);
  adminToken = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  joinToken = kelvin('join-token', '-q').trim();
}

/** A `kelvin agent` with its defaults; PATH holds nothing, so no host nvidia-smi/vcgencmd is found. */
function startAgent(name, board) {
  const emptyBin = join(work, 'empty-bin');
  mkdirSync(emptyBin, { recursive: true });
  const child = spawnKelvin(name, ['agent', '--broker', `mqtt://127.0.0.1:${mqttPort}`, '--token', joinToken, '--state-dir', join(work, `state-${name}`), '--host-root', board.root, '--name', name], { PATH: emptyBin });
  return { name, board, child };
}

const nodeByName = async (name) => (await get('/v1/nodes')).find((n) => n.hostname === name) ?? null;

/** The node once it is ready and taking work (not too hot, not power-unstable, not quarantined). */
const waitTakingWork = (name) =>
  waitFor(`${name} ready and taking work`, async () => {
    const n = await nodeByName(name);
    return n !== null && n.status === 'ready' && n.refusal === null ? n : null;
  }, 30_000);

async function runningTask(service) {
  const tasks = await get(`/v1/services/${service}/tasks`);
  for (const t of tasks) taskIds.add(t.id);
  return tasks.find((t) => t.desiredState === 'running' && t.state === 'running') ?? null;
}

/** Milliseconds from `t0` to the manager's receipt of a running status of a task other than `oldId`. */
async function replacementLatency(service, oldId, t0, timeoutMs) {
  const task = await waitFor(`a replacement for ${oldId}`, async () => {
    const t = await runningTask(service);
    return t && t.id !== oldId ? t : null;
  }, timeoutMs);
  return task.startedAt - t0;
}

function createService(name) {
  kelvin('service', 'create', '--name', name, '--replicas', '1', '--', '/bin/sh', '-c', 'while true; do sleep 1; done', marker);
}

// ---- trials --------------------------------------------------------------------------------

async function heatTrials(agents) {
  createService('heat');
  const results = [];
  for (let i = 0; i < trials; i++) {
    const task = await waitFor('the heat task running', () => runningTask('heat'), 30_000);
    const hot = agents.find((a) => a.nodeId === task.nodeId);
    const cool = agents.find((a) => a !== hot);
    await waitTakingWork(cool.name);
    // A board crosses its limit at any moment of its 1 s telemetry period; without this, every trial
    // would start just after the readings that ended the previous one, always a whole period early.
    await sleep(Math.random() * 1000);
    const t0 = Date.now();
    hot.board.setTempC(CRITICAL_C);
    results.push(await replacementLatency('heat', task.id, t0, 30_000));
    hot.board.setTempC(COOL_C);
    log(`heat trial ${i + 1}/${trials}: ${results[i]} ms`);
  }
  kelvin('service', 'rm', 'heat');
  return results;
}

async function killTrials(agents, boards) {
  createService('loss');
  const results = [];
  let spares = 0;
  for (let i = 0; i < trials; i++) {
    const task = await waitFor('the loss task running', () => runningTask('loss'), 30_000);
    const victim = agents.find((a) => a.nodeId === task.nodeId);
    await Promise.all(agents.filter((a) => a !== victim).map((a) => waitTakingWork(a.name)));
    const t0 = Date.now();
    victim.child.kill('SIGKILL');
    results.push(await replacementLatency('loss', task.id, t0, NODE_TIMEOUT_MS + 30_000));
    log(`kill trial ${i + 1}/${trials}: ${results[i]} ms`);
    // The dead node leaves for good; a fresh spare on its board takes its place.
    kelvin('node', 'rm', victim.name);
    const spare = startAgent(`spare-${++spares}`, boards[agents.indexOf(victim)]);
    agents[agents.indexOf(victim)] = spare;
    spare.nodeId = (await waitFor(`${spare.name} registered`, () => nodeByName(spare.name), 30_000)).id;
  }
  kelvin('service', 'rm', 'loss');
  return results;
}

async function cleanup() {
  for (const child of children) child.kill('SIGTERM');
  await sleep(1500);
  for (const child of children) child.kill('SIGKILL');
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone
    }
  }
  await sleep(200);
  for (const id of taskIds) await removeTaskCgroup('/sys/fs/cgroup', id).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}

try {
  await startManager();
  const boards = [makeBoard(join(work, 'board-a')), makeBoard(join(work, 'board-b'))];
  const agents = [startAgent('pi-a', boards[0]), startAgent('pi-b', boards[1])];
  for (const a of agents) a.nodeId = (await waitTakingWork(a.name)).id;
  log(`heat: ${trials} trials`);
  const heat = await heatTrials(agents);
  log(`node loss: ${trials} trials`);
  const loss = await killTrials(agents, boards);
  console.log(
    JSON.stringify({
      bench: 'failover',
      driver: 'process',
      nodeTimeoutMs: NODE_TIMEOUT_MS,
      heatToReplacementRunning: { ...summary(heat), targetMs: 2000 },
      killToReplacementRunning: { ...summary(loss), targetMs: NODE_TIMEOUT_MS + 2000 },
    }),
  );
} catch (err) {
  console.error(`failover: ${err.message}`);
  const managerLog = join(work, 'manager.log');
  if (existsSync(managerLog)) console.error(readFileSync(managerLog, 'utf8').split('\n').slice(-20).join('\n'));
  process.exitCode = 1;
} finally {
  await cleanup();
}
