/**
 * `npm run bench`: runs every benchmark at a small scale (under 5 minutes in all) and prints their
 * JSON lines; `npm run bench -- --full` runs them at full scale. Each benchmark is its own script
 * so it can also be run alone; this file only decides which ones run and with which flags.
 * The figures of record live in bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const full = process.argv.includes('--full');

/** [script, small-scale args, full-scale args] */
const BENCHES = [
  ['bench/scheduler.mjs', [], []],
  ['bench/agent-footprint.mjs', ['--seconds', '20'], ['--seconds', '60']],
  ['bench/failover.mjs', ['--trials', '5'], ['--trials', '20']],
  ['bench/ingest.mjs', ['--seconds', '10'], ['--seconds', '30']],
  ['bench/scale.mjs', ['--nodes', '1000', '--seconds', '20'], ['--nodes', '1000,5000,10000', '--seconds', '60']],
  ['bench/heat-wave.mjs', ['--nodes', '1000', '--seconds', '90'], ['--nodes', '1000', '--seconds', '180']],
  ['bench/brownout-storm.mjs', ['--nodes', '1000', '--down', '10'], ['--nodes', '5000']],
  ['bench/history-memory.mjs', ['--nodes', '2000', '--seconds', '30'], ['--nodes', '10000', '--seconds', '180']],
  ['bench/big-service.mjs', ['--replicas', '20000', '--stop-at', '1'], ['--replicas', '100000', '--stop-at', '1']],
  ['bench/update.mjs', [], ['--monitor', '5s']],
];

if (!existsSync(`${root}dist/cli/main.js`)) {
  console.error('bench: build first (npm run build)');
  process.exit(1);
}

let failed = 0;
for (const [script, small, large] of BENCHES) {
  if (!existsSync(`${root}${script}`)) continue;
  console.error(`bench: ${script} ${full ? '(full)' : '(small)'}`);
  const r = spawnSync(process.execPath, [script, ...(full ? large : small)], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    failed++;
    console.error(`bench: ${script} exited ${r.status}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
