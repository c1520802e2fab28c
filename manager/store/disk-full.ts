/**
 * A data disk that cannot take a write (full, or failing under SQLite) is a state the manager
 * lives through, not a crash: the store turns such failures into DataDiskFullError, the API answers
 * 507 with its message, and background writers keep their work for a retry.
 */
import type { Logger } from '../../shared/logger.js';

/** SQLite result codes and errno values that mean the data disk refused a write. */
export function diskFailureCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code === 'ENOSPC' || code === 'EDQUOT') return code;
  return null;
}

export class DataDiskFullError extends Error {
  constructor(
    readonly dataDir: string,
    /** What the disk answered: SQLITE_FULL, SQLITE_IOERR_WRITE, ENOSPC... */
    readonly code: string,
  ) {
    super(`manager data disk full (${dataDir})`);
    this.name = 'DataDiskFullError';
  }
}

/**
 * For background writers (timers, MQTT handlers, change listeners): a full disk was announced once
 * by the store, so it is only a debug line here; anything else is a real failure and logged as one.
 */
export function logWriteFailure(logger: Logger, err: unknown, what: string): void {
  if (err instanceof DataDiskFullError) logger.debug({ code: err.code }, `${what} not written: ${err.message}; retried later`);
  else logger.error({ err }, `${what} failed`);
}
