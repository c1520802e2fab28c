/**
 * Docker's health state machine for checks Kelvin runs itself (daemon/health.go): a pass makes the
 * task healthy and resets the failing streak; a failure counts unless the task is still starting
 * within its start period; `retries` consecutive counted failures make it unhealthy. The last
 * results are kept, as Docker keeps them.
 */
import { HEALTH_LOG_ENTRIES, type HealthCheck, type HealthResult, type HealthState } from '../../../shared/healthcheck.js';
import type { HealthReport } from './types.js';

export class HealthTracker {
  private state: HealthState = 'starting';
  private failingStreak = 0;
  private readonly log: HealthResult[] = [];

  constructor(
    private readonly check: Pick<HealthCheck, 'retries' | 'startPeriodMs'>,
    /** When the task started running (ms). */
    private readonly startedAt: number,
  ) {}

  record(result: HealthResult): HealthReport {
    this.log.push(result);
    if (this.log.length > HEALTH_LOG_ENTRIES) this.log.shift();
    if (result.exitCode === 0) {
      this.failingStreak = 0;
      this.state = 'healthy';
    } else if (!(this.state === 'starting' && result.start - this.startedAt < this.check.startPeriodMs)) {
      this.failingStreak++;
      if (this.failingStreak >= this.check.retries) this.state = 'unhealthy';
    }
    return this.report();
  }

  report(): HealthReport {
    return { state: this.state, log: [...this.log] };
  }
}
