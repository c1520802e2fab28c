/**
 * Builds the `kelvin` command tree. Each noun lives in its own module under `commands/` and
 * registers itself; this file only assembles them and sets the shared conventions.
 */
import { Command, CommanderError } from 'commander';
import { AGENT_VERSION } from '../agent/version.js';
import { CliError } from './errors.js';
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
    .exitOverride();
  for (const [noun, summary] of NOUNS) {
    const register = registrars[noun];
    if (register) register(program);
    else registerUnavailable(program, noun, summary);
  }
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
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
