/**
 * CLI error classes. The entry point prints `kelvin: <message>` on stderr and exits with the code:
 * 2 for usage mistakes (bad flag, bad value), 1 for failures (server refused, file unreadable).
 */

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
