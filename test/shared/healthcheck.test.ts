import { describe, expect, it } from 'vitest';
import { healthCheckOf, serviceHealthcheck, unhealthyReason } from '../../shared/healthcheck.js';

describe('unhealthyReason', () => {
  const run = (exitCode: number, output: string) => ({ start: 1, end: 2, exitCode, output });

  it("is the last non-empty line of the last result's output", () => {
    expect(unhealthyReason([run(1, 'old\n'), run(1, 'connecting\r\nconnection refused\n\n')])).toBe('unhealthy: connection refused');
  });

  it('names the exit code when the check printed nothing (--health-cmd false)', () => {
    expect(unhealthyReason([run(1, '')])).toBe('unhealthy: health check exit code 1');
  });
});

describe('serviceHealthcheck schema', () => {
  it("accepts Docker's test forms, 'none' and null", () => {
    for (const value of [healthCheckOf(['CMD', 'probe']), healthCheckOf(['CMD-SHELL', 'exit 0']), 'none', null]) {
      expect(serviceHealthcheck.safeParse(value).success).toBe(true);
    }
  });

  it('refuses tests Docker would not run, saying why', () => {
    const message = (test: string[]): string | undefined => serviceHealthcheck.safeParse(healthCheckOf(test)).error?.issues.find((i) => i.path[0] === 'test')?.message;
    expect(message(['CMD'])).toBe("CMD needs a program to run: ['CMD', 'program', 'arg', ...]");
    expect(message(['CMD-SHELL', 'a', 'b'])).toBe("CMD-SHELL takes exactly one shell command: ['CMD-SHELL', 'command']");
    expect(message(['curl', 'x'])).toBe('a test starts with \'CMD\' or \'CMD-SHELL\', not "curl"');
    expect(serviceHealthcheck.safeParse({ ...healthCheckOf(['CMD', 'x']), intervalMs: 0 }).success).toBe(false);
  });
});
