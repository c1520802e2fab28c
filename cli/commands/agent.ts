/**
 * `kelvin agent`: run the agent on a board (`--broker`), show what it sees (`--once`), or install it
 * as a systemd service (`install` / `uninstall`).
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { AGENT_VERSION } from '../../agent/version.js';
import { ENV_FILE_PATH, UNIT_NAME, installAgent, uninstallAgent } from '../../agent/install/index.js';
import { DEFAULT_STATE_DIR, TOKEN_ENV, parseOnceOptions, parseRunOptions, type RawAgentFlags } from '../../agent/options.js';
import { nextTerminationSignal } from '../signals.js';
import { createLogger } from '../../shared/logger.js';
import { loadOrCreateIdentity } from '../../agent/identity.js';
import { formatMqttPassword } from '../../shared/credentials.js';
import { CliError, UsageError } from '../errors.js';
import { printJson } from '../output.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Flags the daemon and `install` share. */
function addRunFlags(cmd: Command): Command {
  return cmd
    .option('--broker <url>', 'manager broker: mqtt://HOST:1883 or mqtts://HOST:8883')
    .option('--token <token>', `cluster join token (or set ${TOKEN_ENV}, which keeps it off the command line)`)
    .option('--name <name>', 'hostname to show for this node (default: the machine hostname)')
    .option('--label <key=value>', 'engine label for constraints (engine.labels.KEY); repeatable', collect, [])
    .option('--state-dir <dir>', `where the node id and secret are kept (default: ${DEFAULT_STATE_DIR})`)
    .option('--host-root <dir>', 'read /sys, /proc and /etc under this root (default: /)')
    .option('--interval <duration>', 'telemetry period (default: 1s)')
    .option('--hw-profiles <dir>', 'extra board profiles directory')
    .option('--docker-host <url>', 'Docker Engine socket (default: unix:///var/run/docker.sock)')
    .option('--keepalive <duration>', 'MQTT keepalive; the manager sees a dead agent after 1.5x (default: 10s)')
    .option('--status-resync <duration>', 're-send every task status this often, in case a broker dropped one (default: 30s)')
    .option('--ca <file>', 'CA certificate for an mqtts:// broker');
}

/** Subcommands made here are not in program.commands when buildProgram applies its conventions. */
function inheritConventions(cmd: Command, program: Command): Command {
  return cmd.exitOverride().configureOutput(program.configureOutput());
}

async function runOnce(flags: RawAgentFlags): Promise<void> {
  const options = parseOnceOptions(flags);
  const logger = createLogger('kelvin-agent', process.env.KELVIN_LOG_LEVEL ?? 'warn');
  // Loaded on use: every other `kelvin` command starts without the agent's sensors and drivers.
  const [{ inspectBoard }, { formatBoardSummary }] = await Promise.all([import('../../agent/daemon.js'), import('../../agent/inspect.js')]);
  const { facts, telemetry } = await inspectBoard(options, logger);
  if (options.json) return printJson({ facts, telemetry });
  process.stdout.write(formatBoardSummary(facts, telemetry).replace(/\n?$/, '\n'));
  const engineLabels = Object.entries(facts.engineLabels).map(([k, v]) => `${k}=${v}`);
  const rows: Array<[string, string]> = [
    ['Node id', facts.nodeId],
    ['Drivers', facts.drivers.join(', ') || 'none'],
    ['Engine labels', engineLabels.join(', ') || 'none'],
    ['Agent', AGENT_VERSION],
  ];
  process.stdout.write(rows.map(([name, value]) => `${`${name}:`.padEnd(12)} ${value}\n`).join(''));
}

/**
 * The broker account an external broker needs for this board: its node id (made now on a new
 * board, kept in the state dir) and the password the agent will send.
 */
function printMqttCredentials(flags: RawAgentFlags): void {
  const token = (flags.token as string | undefined) ?? process.env[TOKEN_ENV];
  if (!token || !/^[^\s:]+$/.test(token)) throw new UsageError(`--token: required (or set ${TOKEN_ENV}) without spaces or ":"`);
  const stateDir = resolve((flags.stateDir as string | undefined) ?? DEFAULT_STATE_DIR);
  let identity;
  try {
    identity = loadOrCreateIdentity(stateDir, (flags.name as string | undefined) ?? hostname());
  } catch (err) {
    throw new CliError(`cannot use state dir ${stateDir}: ${(err as Error).message} (run as root or pass --state-dir)`);
  }
  const password = formatMqttPassword({ joinToken: token, nodeSecret: identity.nodeSecret });
  process.stdout.write(
    `username: ${identity.nodeId}\npassword: ${password}\n` +
      `# On the broker host, add the account and reload Mosquitto:\n` +
      `#   mosquitto_passwd -b /etc/mosquitto/kelvin.passwd ${identity.nodeId} '${password}' && pkill -HUP -x mosquitto\n`,
  );
}

async function runDaemon(flags: RawAgentFlags): Promise<void> {
  const options = parseRunOptions(flags);
  const logger = createLogger('kelvin-agent');
  const stopRequested = nextTerminationSignal();
  const { startAgent } = await import('../../agent/daemon.js');
  const agent = await startAgent(options, logger);
  const signal = await stopRequested;
  logger.info({ signal }, 'stopping (tasks keep running)');
  await agent.stop();
  // A driver handle that outlives stop() must not keep systemd waiting for the kill timeout.
  setTimeout(() => process.exit(0), 3000).unref();
}

export function registerAgent(program: Command): void {
  // The flags live on `agent` only: commander gives a parent's options to the parent wherever they
  // appear, so `install` reads them from there (its help lists them as global options).
  const agent = addRunFlags(program.command('agent').description('Run the agent on a board, or inspect what it sees (--once)'))
    .option('--once', 'print what Kelvin sees on this machine and exit (no broker needed)')
    .option('--json', 'with --once: print one JSON object { facts, telemetry }')
    .option('--print-mqtt-credentials', "print this board's MQTT username and password (an external broker needs an account for it) and exit")
    .action(async (flags: RawAgentFlags) => {
      if (flags.json && !flags.once) throw new UsageError('--json: only applies with --once');
      if (flags.printMqttCredentials) return printMqttCredentials(flags);
      await (flags.once ? runOnce(flags) : runDaemon(flags));
    });

  inheritConventions(agent.command('install').description(`Install the agent as the systemd service ${UNIT_NAME}`), program)
    .configureHelp({ showGlobalOptions: true })
    .option('--root <dir>', 'write under this directory instead of / (packaging, tests)', '/')
    .action((flags: RawAgentFlags) => {
      const options = parseRunOptions(agent.opts());
      // The unit runs this same node and kelvin entry point, by absolute path.
      const files = installAgent(options, { node: process.execPath, cli: resolve(process.argv[1] ?? 'kelvin') }, String(flags.root));
      process.stdout.write(
        `Wrote ${files.unitFile}\nWrote ${files.envFile} (mode 600, holds the token)\n` +
          `Start it now and at every boot:\n  systemctl daemon-reload && systemctl enable --now kelvin-agent\n`,
      );
    });

  inheritConventions(agent.command('uninstall').description(`Remove the ${UNIT_NAME} unit and ${ENV_FILE_PATH}`), program)
    .option('--root <dir>', 'remove under this directory instead of /', '/')
    .action((flags: RawAgentFlags) => {
      const removed = uninstallAgent(String(flags.root));
      process.stdout.write(
        removed.length === 0
          ? 'Nothing to remove: the agent is not installed\n'
          : `${removed.map((f) => `Removed ${f}`).join('\n')}\n` +
              `Stop it and forget the unit:\n  systemctl stop kelvin-agent && systemctl daemon-reload\n`,
      );
    });
}
