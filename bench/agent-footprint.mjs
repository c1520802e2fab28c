/**
 * Agent footprint: the real `kelvin agent` (dist/) reporting a fixture board every second to a
 * Mosquitto this script starts, side by side with Debian's prometheus-node-exporter scraped once a
 * second over loopback. For each: peak RSS and CPU as % of one core (utime+stime from
 * /proc/<pid>/stat over the measured window, start-up excluded); for the agent also p50/p99 of one
 * collection tick (the daemon's debug-level `tickMs` log line) and how many telemetry messages
 * actually arrived.
 *
 * The agent runs with the node flags of the systemd unit (`kelvin agent install`); pass
 * `--node-flags ''` to measure plain `node`.
 *
 * Build first: npm run build.
 * Run: node bench/agent-footprint.mjs [--seconds 60] [--board rpi4] [--node-flags '--lite-mode'].
 * Prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { AGENT_NODE_FLAGS } from '../dist/agent/install/systemd-unit.js';
import { arg } from './lib/args.mjs';
import { freePort, sleep } from './lib/net.mjs';
import { cpuSeconds, rssBytes } from './lib/proc.mjs';
import { percentile, round } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MOSQUITTO = '/usr/sbin/mosquitto';
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const WARMUP_MS = 5000;

const seconds = Number(arg('seconds', '60'));
const board = arg('board', 'rpi4');
// The node flags the systemd unit runs the agent with, unless told otherwise (`--node-flags ''`).
const nodeFlags = arg('node-flags', AGENT_NODE_FLAGS.join(' ')).split(' ').filter(Boolean);
if (!Number.isFinite(seconds) || seconds < 1) {
  console.error('agent-footprint: --seconds must be a number >= 1');
  process.exit(2);
}

function scrape(port) {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', resolve);
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-footprint-'));
  const children = [];
  const stopAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.on('exit', stopAll);
  try {
    const mqttPort = await freePort();
    writeFileSync(join(dir, 'mosquitto.conf'), `listener ${mqttPort} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    const mosquitto = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    children.push(mosquitto);
    await sleep(300);

    const exporterPort = await freePort();
    const exporter = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: 'ignore' });
    children.push(exporter);

    const agent = spawn(
      process.execPath,
      [
        ...nodeFlags,
        join(ROOT, 'dist/cli/main.js'),
        'agent',
        '--broker', `mqtt://127.0.0.1:${mqttPort}`,
        '--state-dir', join(dir, 'state'),
        '--host-root', join(ROOT, 'test/fixtures/boards', board),
        '--interval', '1s',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KELVIN_TOKEN: 'bench', KELVIN_LOG_LEVEL: 'debug' } },
    );
    children.push(agent);
    let measuring = false;
    const ticks = [];
    let partial = '';
    agent.stderr.on('data', (d) => {
      const text = partial + d.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!measuring || !line.includes('"tickMs"')) continue;
        ticks.push(JSON.parse(line).tickMs);
      }
    });

    const sub = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0 });
    let telemetryMessages = 0;
    sub.on('message', () => measuring && telemetryMessages++);
    await sub.subscribeAsync('kelvin/v1/nodes/+/telemetry');

    const scraper = setInterval(() => void scrape(exporterPort), 1000);
    await sleep(WARMUP_MS);
    if (agent.exitCode !== null) throw new Error(`the agent exited with ${agent.exitCode} during warm-up`);

    measuring = true;
    const start = { at: process.hrtime.bigint(), agent: cpuSeconds(agent.pid), exporter: cpuSeconds(exporter.pid) };
    const peak = { agent: 0, exporter: 0 };
    for (let s = 0; s < seconds; s++) {
      await sleep(1000);
      peak.agent = Math.max(peak.agent, rssBytes(agent.pid));
      peak.exporter = Math.max(peak.exporter, rssBytes(exporter.pid));
    }
    const wallS = Number(process.hrtime.bigint() - start.at) / 1e9;
    const cpuPct = (pid, before) => ((cpuSeconds(pid) - before) / wallS) * 100;
    const agentCpu = cpuPct(agent.pid, start.agent);
    const exporterCpu = cpuPct(exporter.pid, start.exporter);
    measuring = false;
    clearInterval(scraper);
    await sub.endAsync();

    const sorted = [...ticks].sort((a, b) => a - b);
    const MB = 1024 * 1024;
    console.log(
      JSON.stringify({
        bench: 'agent-footprint',
        board,
        nodeFlags,
        seconds: round(wallS, 1),
        intervalMs: 1000,
        agent: {
          rssMB: round(peak.agent / MB, 1),
          cpuPctOfCore: round(agentCpu, 3),
          tickP50Ms: round(percentile(sorted, 50), 3),
          tickP99Ms: round(percentile(sorted, 99), 3),
          ticks: ticks.length,
          telemetryReceived: telemetryMessages,
        },
        nodeExporter: { rssMB: round(peak.exporter / MB, 1), cpuPctOfCore: round(exporterCpu, 3), scrapeEveryMs: 1000 },
        targets: { rssMB: 60, cpuPctOfCore: 1, tickP99Ms: 5 },
      }),
    );
  } finally {
    stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
