/**
 * A container's health as the engine runs it (the service's check or the image's HEALTHCHECK):
 * read from the engine's own State.Health by polling inspect, never re-run by Kelvin. The engine
 * changes it once per check interval, so polls come no more often than that (bounded to
 * [pollMs, MAX_POLL_MS]). A container without a check is looked at once and then left alone.
 */
import { HEALTH_LOG_ENTRIES, HEALTH_OUTPUT_CHARS, healthState, type HealthResult } from '../../../shared/healthcheck.js';
import type { Logger } from '../../../shared/logger.js';
import type { HealthMonitor, HealthReport } from '../health/types.js';
import { isNotFound, type EngineClient } from './engine-client.js';
import type { ContainerHealth, ContainerInspect } from './engine-types.js';

/** Slowest poll: a state change shows at most this long after the engine recorded it. */
const MAX_POLL_MS = 5_000;
/** The engine's default interval, when the check names none. */
const ENGINE_DEFAULT_INTERVAL_MS = 30_000;

export class DockerHealthWatcher implements HealthMonitor {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private last = '';

  constructor(
    private readonly client: EngineClient,
    private readonly containerId: string,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {}

  start(onReport: (report: HealthReport) => void): void {
    const poll = async (): Promise<void> => {
      if (this.stopped) return;
      let health: ContainerHealth | undefined;
      let periodMs = this.pollMs;
      try {
        const { body } = await this.client.request<ContainerInspect>('GET', `/containers/${this.containerId}/json`);
        health = body.State.Health;
        const intervalMs = (body.Config.Healthcheck?.Interval ?? 0) / 1e6 || ENGINE_DEFAULT_INTERVAL_MS;
        periodMs = Math.max(this.pollMs, Math.min(intervalMs, MAX_POLL_MS));
        if (!health || health.Status === 'none') return; // no check: nothing to watch
      } catch (err) {
        if (isNotFound(err)) return;
        this.logger.debug({ err }, 'could not read container health; trying again');
      }
      const report = health ? toReport(health) : null;
      const key = JSON.stringify(report);
      if (report && key !== this.last && !this.stopped) {
        this.last = key;
        onReport(report);
      }
      if (!this.stopped) this.timer = setTimeout(() => void poll(), periodMs);
    };
    void poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

/** The engine's answer, bounded: it comes from a container, so its output is anything. */
function toReport(health: ContainerHealth): HealthReport | null {
  const state = healthState.safeParse(health.Status);
  if (!state.success) return null;
  const log: HealthResult[] = (health.Log ?? []).slice(-HEALTH_LOG_ENTRIES).map((r) => ({
    start: timeMs(r.Start),
    end: timeMs(r.End),
    exitCode: Number.isInteger(r.ExitCode) ? r.ExitCode : -1,
    output: String(r.Output ?? '').slice(-HEALTH_OUTPUT_CHARS),
  }));
  return { state: state.data, log };
}

function timeMs(text: string): number {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}
