import { describe, expect, it } from 'vitest';
import { onlyService, parseErrors, parseOk, yaml } from './parse-helpers.js';

describe('healthcheck', () => {
  it('reads a CMD list with its timings; what is left out takes Swarm defaults', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          healthcheck:
            test: [CMD, wget, -q, -O-, http://localhost/health]
            interval: 5s
            start_period: 1m
    `);
    expect(spec.healthcheck).toEqual({
      test: ['CMD', 'wget', '-q', '-O-', 'http://localhost/health'],
      intervalMs: 5_000,
      timeoutMs: 30_000,
      retries: 3,
      startPeriodMs: 60_000,
    });
  });

  it('takes a string or CMD-SHELL as a shell command, with timeout and retries', () => {
    const asString = onlyService('services: { web: { image: busybox, healthcheck: { test: "curl -f localhost || exit 1", timeout: 2s, retries: 5 } } }');
    const asShell = onlyService('services: { web: { image: busybox, healthcheck: { test: [CMD-SHELL, "curl -f localhost || exit 1"], timeout: 2s, retries: 5 } } }');
    expect(asString.healthcheck).toEqual({ test: ['CMD-SHELL', 'curl -f localhost || exit 1'], intervalMs: 30_000, timeoutMs: 2_000, retries: 5, startPeriodMs: 0 });
    expect(asShell.healthcheck).toEqual(asString.healthcheck);
  });

  it('disable: true and test: [NONE] turn every check off; no healthcheck inherits the image', () => {
    expect(onlyService('services: { web: { image: busybox, healthcheck: { disable: true } } }').healthcheck).toBe('none');
    expect(onlyService('services: { web: { image: busybox, healthcheck: { test: [NONE] } } }').healthcheck).toBe('none');
    expect(onlyService('services: { web: { image: busybox } }').healthcheck).toBeNull();
  });

  it('no longer warns that healthcheck is ignored', () => {
    expect(parseOk('services: { web: { image: busybox, healthcheck: { test: [CMD, "true"] } } }').warnings).toEqual([]);
  });

  it('rejects bad tests and timings with path and line', () => {
    expect(parseErrors(yaml`
      services:
        web:
          image: busybox
          healthcheck:
            test: [HTTP, /health]
            interval: soon
            retries: -1
        api:
          image: busybox
          healthcheck:
            test: [CMD-SHELL, a, b]
        db:
          image: busybox
          healthcheck:
            test: [CMD, "true"]
            disable: true
        cache:
          image: busybox
          healthcheck:
            interval: 5s
    `)).toEqual([
      'services.web.healthcheck.test: a test list starts with CMD, CMD-SHELL or NONE, not "HTTP" (line 5)',
      "services.web.healthcheck.interval: invalid duration 'soon' (write e.g. 500ms, 10s, 1m30s) (line 6)",
      'services.web.healthcheck.retries: must not be negative, got -1 (line 7)',
      'services.api.healthcheck.test: CMD-SHELL takes exactly one shell command: [CMD-SHELL, command] (line 11)',
      'services.db.healthcheck.test: test and disable: true cannot be set at the same time (line 15)',
      "services.cache.healthcheck: missing 'test' (Kelvin does not merge timings into the image's own check; write the test, or disable: true) (line 19)",
    ]);
  });
});

describe('service-level restart (no deploy.restart_policy)', () => {
  const restartOf = (value: string, deploy = ''): unknown =>
    onlyService(`services: { web: { image: busybox, restart: "${value}"${deploy} } }`).restartPolicy;

  it('converts as docker stack deploy does', () => {
    expect(restartOf('no')).toEqual({ condition: 'none', delayMs: 5000, maxAttempts: 0, windowMs: 0 });
    expect(restartOf('always')).toEqual({ condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 });
    expect(restartOf('unless-stopped')).toEqual({ condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 });
    expect(restartOf('on-failure')).toEqual({ condition: 'on-failure', delayMs: 5000, maxAttempts: 0, windowMs: 0 });
    expect(restartOf('on-failure:4')).toEqual({ condition: 'on-failure', delayMs: 5000, maxAttempts: 4, windowMs: 0 });
  });

  it('deploy.restart_policy wins, wherever it is written', () => {
    expect(restartOf('on-failure:4', ', deploy: { restart_policy: { condition: any } }')).toEqual({ condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 });
    const before = onlyService('services: { web: { image: busybox, deploy: { restart_policy: { max_attempts: 2 } }, restart: "no" } }');
    expect(before.restartPolicy).toEqual({ condition: 'any', delayMs: 5000, maxAttempts: 2, windowMs: 0 });
  });

  it('rejects an unknown value with path and line', () => {
    expect(parseErrors('services:\n  web:\n    image: busybox\n    restart: sometimes\n')).toEqual([
      "services.web.restart: unknown restart policy 'sometimes', expected 'no', 'always', 'unless-stopped' or 'on-failure[:max-retries]' (line 4)",
    ]);
    expect(parseErrors('services:\n  web:\n    image: busybox\n    restart: on-failure:x\n')).toHaveLength(1);
  });
});

describe('version', () => {
  it('refuses Compose v1/v2 files as docker stack deploy does', () => {
    for (const v of ['"2"', '"2.4"', '2.1', '"1"']) {
      expect(parseErrors(`version: ${v}\nservices: { web: { image: busybox } }\n`)).toEqual([
        `version: unsupported Compose file version: ${v.replace(/"/g, '')}; stack files need version 3 or later (or no version), as docker stack deploy does (line 1)`,
      ]);
    }
  });

  it('accepts version 3.x and no version', () => {
    for (const v of ['"3"', '"3.8"', '3.9']) expect(parseOk(`version: ${v}\nservices: { web: { image: busybox } }\n`).services).toHaveLength(1);
  });
});
