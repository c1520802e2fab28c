/**
 * `kelvin agent`: run the agent on a board (`--broker`), show what it sees (`--once`), install it
 * as a systemd service (`install` / `uninstall`), or take the board out of its cluster (`leave`).
 */
import { Command } from 'commander';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { AGENT_VERSION } from '../../agent/version.js';
import { ENV_FILE_PATH, UNIT_NAME, installAgent, uninstallAgent } from '../../agent/install/index.js';
import { DEFAULT_STATE_DIR, TOKEN_ENV, parseOnceOptions, parseRunOptions, type RawAgentFlags } from '../../agent/options.js';
import { joinTokenFrom } from '../../agent/join-token-source.js';
import { nextTerminationSignal } from '../signals.js';
import { createLogger } from '../../shared/logger.js';
import { forgetIdentity, loadOrCreateIdentity, readNodeId, removedMark } from '../../agent/identity.js';
import { LEAVE_SIGNAL, removePidFile, runningAgentPid, writePidFile } from '../../agent/pid-file.js';
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
    .option('--facts-interval <duration>', 're-read the board facts (devices included) this often (default: 1m)')
    .option('--ca <file>', 'CA certificate for an mqtts:// broker (default: the cluster CA the join token names, pinned on first contact)')
    .option('--advertise-addr <ip>', "address other boards use to reach this board's tasks; published ports listen here (default: this board's address towards the broker)");
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
  const token = joinTokenFrom(flags.token, process.env);
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
  const { startAgent, LEAVE_TIMEOUT_MS } = await import('../../agent/daemon.js');
  let started = false;
  // A first start may wait for the broker (to pin its CA); a signal meanwhile ends it at once.
  void stopRequested.then(() => started || process.exit(0));
  const agent = await startAgent(options, logger);
  started = true;
  writePidFile(options.stateDir);
  // `kelvin agent leave` run beside this agent hands the leave to it (see runLeave).
  const onLeave = (): void => {
    agent.leave(LEAVE_TIMEOUT_MS).catch((err: unknown) => logger.error({ err: (err as Error).message }, 'could not leave the cluster'));
  };
  process.on(LEAVE_SIGNAL, onLeave);
  // A removed node's agent holds no socket or timer, yet must idle until stopped (not exit, which
  // a service manager would answer with a restart).
  const idle = setInterval(() => {}, 2 ** 30);
  const signal = await stopRequested;
  clearInterval(idle);
  process.off(LEAVE_SIGNAL, onLeave);
  logger.info({ signal }, 'stopping (tasks keep running)');
  await agent.stop();
  removePidFile(options.stateDir);
  // A driver handle that outlives stop() must not keep systemd waiting for the kill timeout.
  setTimeout(() => process.exit(0), 3000).unref();
}

/** How long `leave` waits for a running agent to stop its tasks after the manager confirmed. */
const RUNNING_AGENT_LEAVE_MS = 120_000;

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return true;
}

/**
 * `kelvin agent leave`, like `docker swarm leave`: the manager removes the node (and revokes its
 * credential), its tasks stop, and the state dir forgets the identity, so the next `kelvin agent`
 * joins as a new node. An agent already running on the state dir does the leaving itself (it owns
 * the tasks), asked with SIGUSR2; otherwise this command runs the agent just long enough to leave.
 */
async function runLeave(flags: RawAgentFlags): Promise<void> {
  const stateDir = resolve((flags.stateDir as string | undefined) ?? DEFAULT_STATE_DIR);
  let nodeId: string | null;
  try {
    nodeId = readNodeId(stateDir);
  } catch (err) {
    throw new CliError(`cannot use state dir ${stateDir}: ${(err as Error).message}`);
  }
  if (nodeId === null) throw new CliError(`this board is not part of a cluster (no node identity in ${stateDir})`);
  if (removedMark(stateDir) === null) {
    const pid = runningAgentPid(stateDir);
    if (pid !== null) {
      process.kill(pid, LEAVE_SIGNAL);
      if (!(await waitFor(() => removedMark(stateDir) !== null, RUNNING_AGENT_LEAVE_MS))) {
        throw new CliError(`the running agent (pid ${pid}) did not leave within ${RUNNING_AGENT_LEAVE_MS / 1000} s; see its log (journalctl -u ${UNIT_NAME})`);
      }
    } else {
      const options = parseRunOptions(flags);
      const logger = createLogger('kelvin-agent', process.env.KELVIN_LOG_LEVEL ?? 'warn');
      const { startAgent, LEAVE_TIMEOUT_MS } = await import('../../agent/daemon.js');
      const agent = await startAgent(options, logger);
      try {
        await agent.leave(LEAVE_TIMEOUT_MS);
      } catch (err) {
        throw new CliError(`cannot leave: ${(err as Error).message}; nothing was forgotten`);
      } finally {
        await agent.stop();
      }
    }
  }
  forgetIdentity(stateDir);
  process.stdout.write(`Node ${nodeId} left the cluster: its tasks are stopped and ${stateDir} forgot its identity. Start the agent again to join as a new node.\n`);
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

  inheritConventions(agent.command('leave').description('Leave the cluster: stop this board\'s tasks, deregister it and forget its identity'), program)
    .configureHelp({ showGlobalOptions: true })
    .action(async () => {
      await runLeave(agent.opts());
      // Driver handles (docker, node-pty) must not keep the command alive.
      setTimeout(() => process.exit(0), 1000).unref();
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
