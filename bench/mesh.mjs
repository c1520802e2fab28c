/**
 * Routing mesh overhead: the agent's real TCP forwarder (dist/agent/mesh/tcp-forwarder.js with its
 * balancer) in its own process, one hop (client -> mesh -> server) and two hops (client -> mesh ->
 * mesh -> server), against a direct connection to the same echo server, all in the same run on
 * loopback. Each process is separate, as on real boards (one event loop each).
 *
 * For each path and payload size (small 64 B, large 64 KiB): round trips on one connection
 * (ping-pong: p50/p99 round-trip time; added latency = mesh minus direct at the same percentile)
 * and a bulk stream through the echo (MB/s each way, and the ratio to direct).
 *
 * Build first: npm run build.
 * Run: node bench/mesh.mjs [--rounds 5000] [--bulk-mb 256]. Prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { intArg } from './lib/args.mjs';
import { freePort, sleep } from './lib/net.mjs';
import { percentile, round } from './lib/stats.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
/** How long one phase may take (see within()). */
const PHASE_LIMIT_MS = 180_000;
const role = process.argv[2];

// A role whose bench is gone (killed, crashed) goes too, rather than holding its port and CPU.
if (role) process.on('disconnect', () => process.exit(0));

if (role === '--echo') {
  const port = Number(process.argv[3]);
  // A peer that resets (a hop closing its upstream) must not take the echo server down with it.
  const echo = (s) => {
    s.on('error', () => s.destroy());
    s.pipe(s);
  };
  createServer({ noDelay: true }, echo).listen(port, '127.0.0.1', () => process.send?.('ready'));
} else if (role === '--hop') {
  const [listen, to] = [Number(process.argv[3]), Number(process.argv[4])];
  const { Balancer } = await import('../dist/agent/mesh/balancer.js');
  const { TcpForwarder } = await import('../dist/agent/mesh/tcp-forwarder.js');
  const { silentLogger } = await import('../dist/shared/logger.js');
  const balancer = new Balancer();
  balancer.setEndpoints([{ key: 'task', host: '127.0.0.1', port: to, heat: 'normal', power: 'stable' }]);
  await new TcpForwarder(balancer, silentLogger()).listen('127.0.0.1', listen);
  process.send?.('ready');
} else {
  await main();
}

/** A role in its own process, once it says it is ready; one that dies first (a port taken) fails the run instead of hanging it. */
function child(args) {
  const p = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    p.once('message', () => resolve(p));
    p.once('exit', (code) => reject(new Error(`mesh bench: ${args.join(' ')} exited (${code}) before it was ready`)));
  });
}

/**
 * A connection and a promise that rejects when it closes or fails: a hop or echo that drops it
 * (or dies) mid-measure fails the run with the path named, where awaiting its data would hang.
 */
function open(port) {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve({ s, lost }));
    const lost = new Promise((_, fail) => {
      s.once('error', (err) => fail(new Error(`mesh bench: connection to ${port} failed: ${err.message}`)));
      s.once('close', () => fail(new Error(`mesh bench: connection to ${port} closed before its data came back`)));
    });
    lost.catch(() => undefined);
    s.once('error', reject);
  });
}

/** Ping-pong round trips of `size` bytes; the RTTs in ms, ascending. */
async function roundTrips(port, size, rounds) {
  const { s, lost } = await open(port);
  const payload = Buffer.alloc(size, 7);
  const rtts = [];
  let got = 0;
  let done = () => {};
  s.on('data', (d) => {
    got += d.length;
    if (got >= size) done();
  });
  for (let i = 0; i < rounds; i++) {
    got = 0;
    const t0 = process.hrtime.bigint();
    await Promise.race([
      lost,
      new Promise((r) => {
        done = r;
        s.write(payload);
      }),
    ]);
    rtts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  s.destroy();
  return rtts.sort((a, b) => a - b);
}

/**
 * A phase that has not finished after PHASE_LIMIT_MS fails the run with its name. A saturating
 * stream can stall for minutes in the kernel's TCP retransmission backoff (see bench/RESULTS.md,
 * "Routing mesh"): the run then says which path and phase, instead of hanging silently.
 */
function within(phase, promise) {
  let timer;
  const limit = new Promise((_, fail) => {
    timer = setTimeout(() => fail(new Error(`mesh bench: ${phase} did not finish within ${PHASE_LIMIT_MS / 1000} s`)), PHASE_LIMIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Streams `totalBytes` in `size`-byte writes through the echo; MB/s of payload each way. */
async function bulk(port, size, totalBytes) {
  const { s, lost } = await open(port);
  const chunk = Buffer.alloc(size, 3);
  let received = 0;
  const t0 = process.hrtime.bigint();
  const finished = new Promise((r) => s.on('data', (d) => (received += d.length) >= totalBytes && r()));
  for (let sent = 0; sent < totalBytes; sent += size) {
    if (!s.write(chunk)) await Promise.race([lost, new Promise((r) => s.once('drain', r))]);
  }
  await Promise.race([lost, finished]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  s.destroy();
  return totalBytes / 1e6 / seconds;
}

async function main() {
  const rounds = intArg('mesh', 'rounds', 5000);
  const bulkMb = intArg('mesh', 'bulk-mb', 256);
  const [echoPort, hop1Port, hop2Port] = [await freePort(), await freePort(), await freePort()];
  const paths = { direct: echoPort, oneHop: hop1Port, twoHops: hop2Port };
  const sizes = { small: 64, large: 64 * 1024 };
  const out = { bench: 'mesh', rounds, bulkMb };
  const procs = [];
  try {
    for (const args of [['--echo', echoPort], ['--hop', hop1Port, echoPort], ['--hop', hop2Port, hop1Port]]) procs.push(await child(args.map(String)));
    await sleep(200);
    for (const [sizeName, size] of Object.entries(sizes)) {
      const r = {};
      for (const [path, port] of Object.entries(paths)) {
        await within(`${sizeName} ${path} warm-up`, roundTrips(port, size, Math.min(500, rounds)));
        const rtts = await within(`${sizeName} ${path} round trips`, roundTrips(port, size, rounds));
        const mbps = await within(`${sizeName} ${path} stream`, bulk(port, size, bulkMb * 1e6));
        r[path] = { p50Ms: percentile(rtts, 50), p99Ms: percentile(rtts, 99), mbPerS: mbps };
      }
      for (const path of ['oneHop', 'twoHops']) {
        out[`${sizeName}.${path}`] = {
          rttP50Ms: round(r[path].p50Ms, 3),
          rttP99Ms: round(r[path].p99Ms, 3),
          addedP50Ms: round(r[path].p50Ms - r.direct.p50Ms, 3),
          addedP99Ms: round(r[path].p99Ms - r.direct.p99Ms, 3),
          mbPerS: round(r[path].mbPerS, 1),
          throughputVsDirect: round(r[path].mbPerS / r.direct.mbPerS, 2),
        };
      }
      out[`${sizeName}.direct`] = { rttP50Ms: round(r.direct.p50Ms, 3), rttP99Ms: round(r.direct.p99Ms, 3), mbPerS: round(r.direct.mbPerS, 1) };
    }
  } finally {
    for (const p of procs) p.kill();
  }
  console.log(JSON.stringify(out));
}
