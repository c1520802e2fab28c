/** What a task's health source (a check runner, or the engine's own) tells the reconciler. */
import type { HealthResult, HealthState } from '../../../shared/healthcheck.js';

export interface HealthReport {
  state: HealthState;
  /** The last results, oldest first. */
  log: HealthResult[];
}

export interface HealthMonitor {
  /** Begins watching; `onReport` is called after every check result (or change the engine shows). */
  start(onReport: (report: HealthReport) => void): void;
  /** Stops watching and ends a check that is running. Idempotent. */
  stop(): void;
}
