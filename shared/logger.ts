/**
 * One pino configuration for agent and manager, on stderr (stdout stays for command output), with
 * credentials redacted wherever they appear in a logged object. On a terminal the lines are for
 * people (shared/log-text.ts); otherwise, or with `--log-format json` (KELVIN_LOG_FORMAT), JSON.
 */
import { pino, type Logger } from 'pino';
import { textDestination } from './log-text.js';

export type { Logger };

export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

const REDACT = ['token', 'password', 'secret', 'nodeSecret', 'joinToken', '*.token', '*.password', '*.secret', 'headers.authorization'];

let chosenFormat: LogFormat | null = null;

/** `--log-format`: set once by the CLI before any logger is made. */
export function setLogFormat(format: LogFormat | null): void {
  chosenFormat = format;
}

function logFormat(): LogFormat {
  const fromEnv = process.env.KELVIN_LOG_FORMAT;
  if (chosenFormat) return chosenFormat;
  if (fromEnv === 'json' || fromEnv === 'text') return fromEnv;
  return process.stderr.isTTY ? 'text' : 'json';
}

export function createLogger(name: string, level = process.env.KELVIN_LOG_LEVEL ?? 'info'): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (logFormat() === 'text') return pino(options, textDestination(2, process.stderr.isTTY === true && !process.env.NO_COLOR));
  return pino(options, pino.destination(2));
}

/** A logger that drops everything: for tests and `--once` style commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
