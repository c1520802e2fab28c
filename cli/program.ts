/**
 * Builds the `kelvin` command tree. Each noun lives in its own module under `commands/` and
 * registers itself; this file only assembles them and sets the shared conventions.
 */
import { Command, CommanderError } from 'commander';
import { AGENT_VERSION } from '../agent/version.js';
import { LOG_FORMATS, setLogFormat } from '../shared/logger.js';
import { oneOf } from './commands/args.js';
import { CliError } from './errors.js';
import { setGlobalFlags, type GlobalFlags } from './global-flags.js';
import { terminalSafe } from './terminal-safe.js';
import { registerUnavailable } from './not-available.js';

type Registrar = (program: Command) => void;

/** Nouns in the order `kelvin --help` lists them. */
const NOUNS: Array<[string, string, Registrar | null]> = [
  ['manager', 'Run the manager: cluster state, scheduling, embedded MQTT broker', null],
  ['agent', 'Run the agent on a board, or inspect what it sees (--once)', null],
  ['node', 'Manage nodes: ls, inspect, update, accept, rm', null],
  ['service', 'Manage services: create, ls, ps, inspect, scale, update, rm, logs', null],
  ['task', 'Inspect tasks: inspect, logs', null],
  ['stack', 'Deploy and manage stacks from Compose files', null],
  ['secret', 'Manage secrets: create, ls, inspect, rm', null],
  ['config', 'Manage configs: create, ls, inspect, rm', null],
  ['context', 'Manage contexts: which manager the CLI talks to (create, use, ls, inspect, rm)', null],
  ['join-token', 'Show or rotate the worker join token', null],
  ['alerts', 'List heat and power alerts', null],
  ['events', 'List cluster state changes', null],
  ['dashboard', 'Open the web dashboard (prints a one-time login link)', null],
  ['sim', 'Simulate a fleet of boards against a manager', null],
];

export function buildProgram(registrars: Partial<Record<string, Registrar>> = {}): Command {
  const program = new Command('kelvin')
    .description('Kelvin: Docker Swarm for heterogeneous edge hardware, with heat and power awareness')
    .version(AGENT_VERSION, '-v, --version')
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => write(`kelvin: ${str.replace(/^error: /, '')}`) })
    .option('-H, --host <url>', 'the manager API to talk to, http(s)://HOST:PORT (or set KELVIN_HOST)')
    .option('--context <name>', 'the context to use (or set KELVIN_CONTEXT; see: kelvin context ls)')
    .option('--log-format <format>', 'manager and agent logs: text or json (default: text on a terminal, else json)')
    .exitOverride();
  program.hook('preAction', () => {
    const flags = program.opts<GlobalFlags>();
    if (flags.logFormat !== undefined) setLogFormat(oneOf('--log-format', flags.logFormat, LOG_FORMATS));
    setGlobalFlags(flags);
  });
  for (const [noun, summary] of NOUNS) {
    const register = registrars[noun];
    if (register) register(program);
    else registerUnavailable(program, noun, summary);
  }
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
  // Global options go before the command (`kelvin --host URL node ls`), so none is ever taken from
  // a service's own command line (`service create IMAGE --host x`). Set after the nouns are made:
  // commands inherit it when created, and `agent install --broker ...` reads its parent's options.
  program.enablePositionalOptions();
  return program;
}

/** Runs the program and maps every outcome to the exit-code convention (0 ok, 1 failure, 2 usage). */
export async function runCli(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit with 0; anything commander rejected is a usage error already printed.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`kelvin: ${terminalSafe(err.message)}\n`);
      return err.exitCode;
    }
    process.stderr.write(`kelvin: ${terminalSafe(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
}
