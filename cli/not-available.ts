import type { Command } from 'commander';
import { CliError } from './errors.js';

/**
 * Registers a noun whose implementation has not landed yet. It says so plainly and exits 2,
 * rather than pretending to work.
 */
export function registerUnavailable(program: Command, noun: string, summary: string): void {
  program
    .command(noun)
    .description(`${summary} (not available in this build yet)`)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new CliError(`'kelvin ${noun}' is not available in this build yet`, 2);
    });
}
