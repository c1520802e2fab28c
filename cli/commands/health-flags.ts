/**
 * Docker's health flags (`--health-cmd`, `--health-interval`, `--health-timeout`,
 * `--health-retries`, `--health-start-period`, `--no-healthcheck`), shared by `service create` and
 * `service update`: a flag changes only what it names, over the service's current check.
 */
import type { Command } from 'commander';
import { healthCheckOf, type ServiceHealthcheck } from '../../shared/healthcheck.js';
import { UsageError } from '../errors.js';
import { durationMs, nonNegativeInt } from './args.js';

export interface HealthFlags {
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  /** Commander's negatable `--no-healthcheck`: false when given. */
  healthcheck?: boolean;
}

export function addHealthOptions(command: Command): Command {
  return command
    .option('--health-cmd <command>', 'command to run to check health (run by a shell, as CMD-SHELL)')
    .option('--health-interval <duration>', 'time between running the check (default 30s)')
    .option('--health-timeout <duration>', 'maximum time to allow one check to run (default 30s)')
    .option('--health-retries <n>', 'consecutive failures needed to report unhealthy (default 3)')
    .option('--health-start-period <duration>', 'start period during which failures do not count (default 0s)')
    .option('--no-healthcheck', "disable any health check, the image's HEALTHCHECK included");
}

const TIMING_FLAGS = [
  ['healthInterval', '--health-interval'],
  ['healthTimeout', '--health-timeout'],
  ['healthRetries', '--health-retries'],
  ['healthStartPeriod', '--health-start-period'],
] as const;

/** The service's check after the flags; `current` unchanged when none is given. */
export function applyHealthFlags(flags: HealthFlags, current: ServiceHealthcheck): ServiceHealthcheck {
  const timing = TIMING_FLAGS.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
  if (flags.healthcheck === false) {
    const used = [...(flags.healthCmd === undefined ? [] : ['--health-cmd']), ...timing];
    if (used.length > 0) throw new UsageError(`--no-healthcheck: conflicts with ${used.join(', ')}`);
    return 'none';
  }
  if (flags.healthCmd === undefined && timing.length === 0) return current;
  const own = current !== null && current !== 'none' ? current : null;
  let test = own?.test;
  if (flags.healthCmd !== undefined) {
    if (flags.healthCmd.trim() === '') throw new UsageError('--health-cmd: empty command');
    test = ['CMD-SHELL', flags.healthCmd];
  }
  if (!test) throw new UsageError(`${timing[0] ?? '--health-cmd'}: the service has no health check of its own to change; give --health-cmd too`);
  const ms = (flag: string, text: string | undefined): number | undefined => (text === undefined ? undefined : durationMs(flag, text));
  return healthCheckOf(test, {
    intervalMs: ms('--health-interval', flags.healthInterval) ?? own?.intervalMs,
    timeoutMs: ms('--health-timeout', flags.healthTimeout) ?? own?.timeoutMs,
    retries: flags.healthRetries === undefined ? own?.retries : nonNegativeInt('--health-retries', flags.healthRetries),
    startPeriodMs: ms('--health-start-period', flags.healthStartPeriod) ?? own?.startPeriodMs,
  });
}
