/**
 * One pino configuration for agent and manager: JSON lines on stderr (stdout stays for command
 * output) with credentials redacted wherever they appear in a logged object.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = ['token', 'password', 'secret', 'nodeSecret', 'joinToken', '*.token', '*.password', '*.secret', 'headers.authorization'];

export function createLogger(name: string, level = process.env.KELVIN_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2));
}

/** A logger that drops everything: for tests and `--once` style commands. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
