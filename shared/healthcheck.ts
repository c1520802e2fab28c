/**
 * A service's health check and a task's health, in Docker's terms. The check's `test` is Docker's
 * own form (`['CMD', prog, ...args]` or `['CMD-SHELL', 'a shell command']`), so the docker driver
 * hands it to the engine as is and the process driver runs the same thing on the board.
 */
import { z } from 'zod';
import { boundedArgv } from './bounded.js';

/** Swarm's defaults for what a check leaves out (0 in Docker's flags means "the default"). */
export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 } as const;

/** Docker keeps the last 5 results and at most 4096 bytes of each one's output. */
export const HEALTH_LOG_ENTRIES = 5;
export const HEALTH_OUTPUT_CHARS = 4096;

export const healthTest = boundedArgv.superRefine((test, ctx) => {
  const fail = (message: string): void => void ctx.addIssue({ code: 'custom', message, path: [] });
  if (test[0] === 'CMD') {
    if (test.length < 2 || test[1] === '') fail("CMD needs a program to run: ['CMD', 'program', 'arg', ...]");
  } else if (test[0] === 'CMD-SHELL') {
    if (test.length !== 2 || test[1]?.trim() === '') fail("CMD-SHELL takes exactly one shell command: ['CMD-SHELL', 'command']");
  } else {
    fail(`a test starts with 'CMD' or 'CMD-SHELL', not ${JSON.stringify(test[0] ?? '')}`);
  }
});

export const healthCheck = z.object({
  test: healthTest,
  intervalMs: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  retries: z.number().int().positive(),
  startPeriodMs: z.number().int().nonnegative(),
});
export type HealthCheck = z.infer<typeof healthCheck>;

/**
 * A service's `healthcheck`: its own check, 'none' (disabled, also any check the image has), or
 * null to inherit the image's HEALTHCHECK (docker driver; a process service then has none).
 */
export const serviceHealthcheck = z.union([z.literal('none'), healthCheck]).nullable();
export type ServiceHealthcheck = z.infer<typeof serviceHealthcheck>;

export const HEALTH_STATES = ['starting', 'healthy', 'unhealthy'] as const;
export const healthState = z.enum(HEALTH_STATES);
export type HealthState = z.infer<typeof healthState>;

/** One run of the check, as Docker's State.Health.Log keeps it. */
export const healthResult = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  /** 0 healthy, 1 unhealthy; -1 when the check could not run or exceeded its timeout (Docker's convention). */
  exitCode: z.number().int(),
  output: z.string().max(HEALTH_OUTPUT_CHARS),
});
export type HealthResult = z.infer<typeof healthResult>;

export const healthLog = z.array(healthResult).max(HEALTH_LOG_ENTRIES);

/** A check from its parts, each 0/undefined part taking Swarm's default (as `--health-*` flags do). */
export function healthCheckOf(test: string[], parts: Partial<Omit<HealthCheck, 'test'>> = {}): HealthCheck {
  return {
    test,
    intervalMs: parts.intervalMs || HEALTH_DEFAULTS.intervalMs,
    timeoutMs: parts.timeoutMs || HEALTH_DEFAULTS.timeoutMs,
    retries: parts.retries || HEALTH_DEFAULTS.retries,
    startPeriodMs: parts.startPeriodMs ?? HEALTH_DEFAULTS.startPeriodMs,
  };
}

/** The last non-empty line of a check's output: the reason an unhealthy task shows. */
export function lastOutputLine(output: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  return lines.at(-1) ?? '';
}

/** `unhealthy: <last output line>`, or with the exit code when the check printed nothing. */
export function unhealthyReason(log: readonly HealthResult[]): string {
  const last = log.at(-1);
  if (!last) return 'unhealthy';
  const line = lastOutputLine(last.output);
  return `unhealthy: ${line === '' ? `health check exit code ${last.exitCode}` : line}`;
}
