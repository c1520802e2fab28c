/** The service's health check as the Engine API's container Healthcheck (durations in ns). */
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import type { HealthConfigBody } from './engine-types.js';

const NS_PER_MS = 1_000_000;

/** undefined: no body, so the container inherits the image's HEALTHCHECK. */
export function healthConfigBody(healthcheck: TaskSpec['healthcheck']): HealthConfigBody | undefined {
  if (healthcheck === undefined || healthcheck === null) return undefined;
  if (healthcheck === 'none') return { Test: ['NONE'] };
  return {
    Test: healthcheck.test,
    Interval: healthcheck.intervalMs * NS_PER_MS,
    Timeout: healthcheck.timeoutMs * NS_PER_MS,
    Retries: healthcheck.retries,
    StartPeriod: healthcheck.startPeriodMs * NS_PER_MS,
  };
}
