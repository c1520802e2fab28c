/**
 * Runs one lifecycle step of a task, retrying temporary RuntimeErrors (engine restarting, fork
 * failed) with capped exponential backoff. Permanent errors, and anything that is not a
 * RuntimeError (a bug is not fixed by retrying), end the attempt at once.
 */
import { abortableSleep } from '../../shared/abortable-sleep.js';
import { backoffDelay } from '../../shared/backoff.js';
import { RuntimeError } from './types.js';

export type StepOutcome = { ok: true } | { ok: false; error: RuntimeError; cancelled: boolean };

export interface RetryOptions {
  /** Aborting ends the wait between attempts (the task is no longer desired, or the agent stops). */
  signal: AbortSignal;
  onRetry?: (error: RuntimeError, delayMs: number) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export function asRuntimeError(err: unknown): RuntimeError {
  if (err instanceof RuntimeError) return err;
  return new RuntimeError(err instanceof Error ? err.message : String(err), 'permanent');
}

export async function retryTemporary(step: () => Promise<void>, options: RetryOptions): Promise<StepOutcome> {
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  for (let attempt = 0; ; attempt++) {
    try {
      await step();
      return { ok: true };
    } catch (err) {
      const error = asRuntimeError(err);
      if (error.kind === 'permanent' || options.signal.aborted) return { ok: false, error, cancelled: options.signal.aborted };
      const delay = backoffDelay(attempt, { initialMs: base, maxMs: max, jitter: 0 });
      options.onRetry?.(error, delay);
      await abortableSleep(delay, options.signal);
      if (options.signal.aborted) return { ok: false, error, cancelled: true };
    }
  }
}
