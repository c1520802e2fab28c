import { describe, expect, it } from 'vitest';
import { HealthTracker } from '../../../../agent/runtime/health/health-tracker.js';
import type { HealthResult } from '../../../../shared/healthcheck.js';

const result = (start: number, exitCode: number, output = ''): HealthResult => ({ start, end: start + 5, exitCode, output });

describe('HealthTracker (Docker health semantics)', () => {
  it('starts as starting; retries consecutive failures make it unhealthy, a pass resets the streak', () => {
    const t = new HealthTracker({ retries: 3, startPeriodMs: 0 }, 0);
    expect(t.report().state).toBe('starting');
    expect(t.record(result(10, 1)).state).toBe('starting');
    expect(t.record(result(20, 1)).state).toBe('starting');
    expect(t.record(result(30, 0)).state).toBe('healthy');
    expect(t.record(result(40, 1)).state).toBe('healthy');
    expect(t.record(result(50, 1)).state).toBe('healthy');
    expect(t.record(result(60, 1)).state).toBe('unhealthy');
  });

  it('does not count failures within the start period while starting', () => {
    const t = new HealthTracker({ retries: 1, startPeriodMs: 1_000 }, 100);
    expect(t.record(result(500, 1)).state).toBe('starting');
    expect(t.record(result(1_099, 1)).state).toBe('starting');
    expect(t.record(result(1_100, 1)).state).toBe('unhealthy');
  });

  it('counts failures in the start period once the task has been healthy', () => {
    const t = new HealthTracker({ retries: 1, startPeriodMs: 60_000 }, 0);
    t.record(result(100, 0));
    expect(t.record(result(200, 1)).state).toBe('unhealthy');
  });

  it('keeps the last 5 results, oldest first', () => {
    const t = new HealthTracker({ retries: 100, startPeriodMs: 0 }, 0);
    for (let i = 1; i <= 7; i++) t.record(result(i, 1, `run ${i}`));
    expect(t.report().log.map((r) => r.output)).toEqual(['run 3', 'run 4', 'run 5', 'run 6', 'run 7']);
  });
});
