/**
 * The processes a fleet benchmark runs on this machine: Debian's Mosquitto, a real `kelvin manager`
 * (dist/) using it as its external broker, with the simulated boards' node ids registered in its
 * store beforehand (an external broker admits them; the manager only processes what registered
 * nodes send), and `kelvin sim`. Every child is killed when the bench exits.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeIds } from '../../dist/agent/sim/fleet.js';
import { parseMix, SIM_DEFAULTS } from '../../dist/agent/sim/options.js';
import { ensureClusterIdentity } from '../../dist/manager/store/cluster-identity.js';
import { Store } from '../../dist/manager/store/store.js';
import { freePort, sleep, waitFor } from './net.mjs';

// Node 20 has fetch built in; the lint config lists only the older globals for scripts.
const { fetch } = globalThis;

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const KELVIN = join(ROOT, 'dist/cli/main.js');
const MOSQUITTO = '/usr/sbin/mosquitto';

const children = new Set();
const killAll = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
}

/**
 * Mosquitto on loopback, anonymous (identity is not what these benches measure). Its default
 * max_queued_messages of 1000 per client silently drops QoS 1 messages to the manager beyond that:
 * when a thousand boards start their tasks at once they report about 8,000 task statuses within a
 * second or two, and the lost ones leave tasks `assigned` in the manager for good. The manager's
 * one subscription must never be capped, so the queue is unlimited (a deployment's broker needs the
 * same setting).
 */
export async function startMosquitto(dir, { tls = null } = {}) {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  // `tls`: { cafile, certfile, keyfile } of the cluster (issueServerTls), for an mqtts:// listener.
  const tlsLines = tls ? `cafile ${tls.cafile}\ncertfile ${tls.certfile}\nkeyfile ${tls.keyfile}\n` : '';
  writeFileSync(conf, `listener ${port} 127.0.0.1\n${tlsLines}allow_anonymous true\npersistence false\nmax_connections -1\nmax_queued_messages 0\nlog_type error\n`);
  const proc = track(spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' }));
  const url = `${tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`;
  await sleep(300);
  if (proc.exitCode !== null) throw new Error(`mosquitto exited with ${proc.exitCode}`);
  return { url, pid: proc.pid, stop: () => (proc.kill('SIGTERM'), exited(proc)) };
}

/** The ids `kelvin sim --nodes N --mix M --prefix P` will give its boards. */
export function simNodeIds(nodes, { mix = SIM_DEFAULTS.mix, prefix = SIM_DEFAULTS.prefix } = {}) {
  return nodeIds({ nodes, mix: parseMix(mix), prefix }).map((n) => n.nodeId);
}

/** Creates the cluster in `dataDir` with these nodes registered; returns the join token. */
export function registerNodes(dataDir, ids) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = Store.open(join(dataDir, 'kelvin.db'));
  try {
    const { cluster } = ensureClusterIdentity(store, dataDir, Date.now());
    // Credentials are the broker's business; with an external, anonymous broker they are never checked.
    store.transaction(() => {
      for (const id of ids) store.registerNode(id, { secretHash: 'bench', mosquittoHash: 'bench' }, 'worker');
    });
    return cluster.joinToken;
  } finally {
    store.close();
  }
}

/**
 * `kelvin manager --no-agent --broker URL` with its log in `<dir>/manager.log`. `nodeFlags` go to
 * node (e.g. --cpu-prof). Returns an API client, a /metrics reader and `stop()` (SIGTERM, as a user
 * would, so a CPU profile gets written).
 */
export async function startManager({ dir, brokerUrl, args = [], nodeFlags = [] }) {
  const dataDir = join(dir, 'manager');
  const http = await freePort();
  const log = openSync(join(dir, 'manager.log'), 'a');
  const proc = track(
    spawn(process.execPath, [...nodeFlags, KELVIN, 'manager', '--no-agent', '--data-dir', dataDir, '--broker', brokerUrl, '--http', `127.0.0.1:${http}`, ...args], {
      stdio: ['ignore', log, log],
      env: { ...process.env, KELVIN_LOG_LEVEL: 'warn' },
    }),
  );
  closeSync(log);
  const api = `http://127.0.0.1:${http}`;
  await waitFor('the manager API', async () => {
    if (proc.exitCode !== null) throw new Error(`the manager exited with ${proc.exitCode}; see ${join(dir, 'manager.log')}`);
    return fetch(`${api}/`).then(() => true);
  }, 30_000);
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const request = async (method, path, body) => {
    const res = await fetch(`${api}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return path === '/metrics' ? res.text() : res.json();
  };
  return {
    pid: proc.pid,
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body),
    metrics: async () => parsePrometheus(await request('GET', '/metrics')),
    async stop() {
      proc.kill('SIGTERM');
      await exited(proc);
    },
  };
}

/**
 * `kelvin sim` with these flags; `summary` resolves with its JSON summary at exit. Status lines go
 * to `<dir>/sim.log`.
 */
export function startSim(dir, flags) {
  const log = openSync(join(dir, 'sim.log'), 'a');
  const proc = track(spawn(process.execPath, [KELVIN, 'sim', ...flags], { stdio: ['ignore', 'pipe', log], env: { ...process.env, KELVIN_LOG_LEVEL: 'error' } }));
  closeSync(log);
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  const summary = exited(proc).then(() => {
    if (proc.exitCode !== 0) throw new Error(`kelvin sim exited with ${proc.exitCode ?? proc.signalCode}; see ${join(dir, 'sim.log')}`);
    return JSON.parse(out);
  });
  summary.catch(() => {}); // observed by whoever awaits it
  return { pid: proc.pid, summary, stop: () => (proc.kill('SIGTERM'), summary) };
}

/** Prometheus text -> { value(series), buckets(name) } (series as printed: `name{label="v"}`). */
export function parsePrometheus(text) {
  const values = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    values.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return {
    value: (series) => values.get(series) ?? 0,
    buckets(name) {
      const out = [];
      for (const [series, count] of values) {
        const m = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`).exec(series);
        if (m) out.push({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count });
      }
      return out.sort((a, b) => a.le - b.le);
    },
  };
}

/** Bucket counts of a histogram observed between two scrapes. */
export function bucketsBetween(before, after, name) {
  const earlier = new Map(before.buckets(name).map((b) => [b.le, b.count]));
  return after.buckets(name).map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) }));
}
