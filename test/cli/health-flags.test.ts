import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addHealthOptions, applyHealthFlags, type HealthFlags } from '../../cli/commands/health-flags.js';
import { buildServiceSpec, type CreateFlags } from '../../cli/commands/service-flags.js';
import { HEALTH_DEFAULTS, type HealthCheck } from '../../shared/healthcheck.js';

/** The flags as Commander hands them to the action, from a command line. */
function parse(argv: string[]): HealthFlags {
  const command = addHealthOptions(new Command('create').exitOverride());
  command.parse(argv, { from: 'user' });
  return command.opts<HealthFlags>();
}

const createFlags = (flags: HealthFlags): CreateFlags => ({ name: 'web', constraint: [], placementPref: [], env: [], label: [], ...flags });

describe('--health-* flags', () => {
  it('--health-cmd is a shell command; the other flags set the timings, Swarm defaults for the rest', () => {
    const spec = buildServiceSpec(createFlags(parse(['--health-cmd', 'curl -f localhost || exit 1', '--health-interval', '5s', '--health-retries', '2'])), ['nginx'], false);
    expect(spec.healthcheck).toEqual({ test: ['CMD-SHELL', 'curl -f localhost || exit 1'], intervalMs: 5_000, timeoutMs: 30_000, retries: 2, startPeriodMs: 0 });
  });

  it('no flag inherits the image check; --no-healthcheck disables every check', () => {
    expect(buildServiceSpec(createFlags(parse([])), ['nginx'], false).healthcheck).toBeNull();
    expect(buildServiceSpec(createFlags(parse(['--no-healthcheck'])), ['nginx'], false).healthcheck).toBe('none');
  });

  it('0 means the default, as in Docker', () => {
    const check = applyHealthFlags(parse(['--health-cmd', 'true', '--health-interval', '0s', '--health-timeout', '0', '--health-retries', '0']), null);
    expect(check).toEqual({ test: ['CMD-SHELL', 'true'], ...HEALTH_DEFAULTS });
  });

  it('changes only what it names over an existing check (service update)', () => {
    const current: HealthCheck = { test: ['CMD', 'probe'], intervalMs: 2_000, timeoutMs: 1_000, retries: 4, startPeriodMs: 10_000 };
    expect(applyHealthFlags(parse(['--health-timeout', '3s']), current)).toEqual({ ...current, timeoutMs: 3_000 });
    expect(applyHealthFlags(parse(['--health-cmd', 'ok']), current)).toEqual({ ...current, test: ['CMD-SHELL', 'ok'] });
    expect(applyHealthFlags(parse([]), current)).toBe(current);
    expect(applyHealthFlags(parse(['--no-healthcheck']), current)).toBe('none');
  });

  it('refuses bad values and contradictions, naming the flag', () => {
    const error = (argv: string[]): string => {
      try {
        applyHealthFlags(parse(argv), null);
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(error(['--health-interval', 'soon', '--health-cmd', 'x'])).toBe("--health-interval: 'soon' is not a duration (e.g. 10s, 1m30s)");
    expect(error(['--health-retries', '-1', '--health-cmd', 'x'])).toBe("--health-retries: '-1' is not a whole number");
    expect(error(['--health-cmd', ' '])).toBe('--health-cmd: empty command');
    expect(error(['--no-healthcheck', '--health-cmd', 'x', '--health-retries', '2'])).toBe('--no-healthcheck: conflicts with --health-cmd, --health-retries');
    expect(error(['--health-interval', '5s'])).toBe('--health-interval: the service has no health check of its own to change; give --health-cmd too');
  });
});
