/**
 * `kelvin sim`: run a fleet of simulated boards against a manager's broker, through the agent's
 * real session and reconcile code. Status lines go to stderr; the JSON summary to stdout.
 */
import { Command } from 'commander';
import { parseSimOptions, SIM_DEFAULTS } from '../../agent/sim/options.js';
import { SCENARIO_NAMES } from '../../agent/sim/scenarios/index.js';
import { TOKEN_ENV } from '../../agent/options.js';
import { createLogger } from '../../shared/logger.js';
import { printJson } from '../output.js';

export function registerSim(program: Command): void {
  const d = SIM_DEFAULTS;
  program
    .command('sim')
    .description('Simulate a fleet of boards against a manager')
    .option('--broker <url>', 'manager broker: mqtt://HOST:1883 or mqtts://HOST:8883')
    .option('--token <token>', `cluster join token (or set ${TOKEN_ENV})`)
    .option('--ca <file>', 'CA certificate for an mqtts:// broker (default: the one the join token names, pinned from the broker)')
    .option('--nodes <n>', `number of simulated boards (default: ${d.nodes})`)
    .option('--mix <mix>', `board families in percent (default: ${d.mix})`)
    .option('--interval <duration>', `telemetry period of each board (default: ${d.interval})`)
    .option('--scenario <name>', `${SCENARIO_NAMES.join(', ')} (default: ${d.scenario})`)
    .option('--duration <duration>', `how long to run (default: ${d.duration})`)
    .option('--seed <n>', `random seed: the same seed gives the same run (default: ${d.seed})`)
    .option('--prefix <prefix>', `node id prefix: PREFIX-TYPE-0001 (default: ${d.prefix})`)
    .option('--ramp <duration>', 'spread the boards\' connects over this long (default: the interval)')
    .option('--status-every <duration>', `status line period (default: ${d.statusEvery})`)
    .option('--keepalive <duration>', `MQTT keepalive of each board (default: ${d.keepalive})`)
    .option('--heat-share <percent>', `heat-wave: boards that lose cooling (default: ${d.heatShare})`)
    .option('--heat-within <duration>', `heat-wave: they lose it within this time (default: ${d.heatWithin})`)
    .option('--heat-factor <x>', `heat-wave: thermal resistance multiplier (default: ${d.heatFactor})`)
    .option('--heat-ambient-rise <C>', `heat-wave: ambient rise in C (default: ${d.heatAmbientRise})`)
    .option('--brownout-share <percent>', `brownout-storm: boards that drop at once (default: ${d.brownoutShare})`)
    .option('--brownout-at <duration>', `brownout-storm: when they drop (default: ${d.brownoutAt})`)
    .option('--brownout-down <duration>', `brownout-storm: how long they stay down (default: ${d.brownoutDown})`)
    .option('--flap-boards <n>', `flapping: boards that flap (default: ${d.flapBoards})`)
    .option('--flap-up <duration>', `flapping: time up per cycle (default: ${d.flapUp})`)
    .option('--flap-down <duration>', `flapping: time down per cycle (default: ${d.flapDown})`)
    .action(async (flags: Record<string, unknown>) => {
      const options = parseSimOptions(flags);
      const logger = createLogger('kelvin-sim', process.env.KELVIN_LOG_LEVEL ?? 'warn');
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const { runFleet } = await import('../../agent/sim/fleet.js');
        const summary = await runFleet(options, { logger, status: (line) => process.stderr.write(`${line}\n`), signal: stop.signal });
        printJson(summary);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
