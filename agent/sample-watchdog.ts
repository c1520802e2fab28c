/**
 * Notices telemetry samples that did not happen on time. Telemetry is also the board's heartbeat
 * (the manager declares a node down after `--node-timeout` without it), so a late or stalled
 * sample must be said out loud, never silently stop the stream.
 *
 * Lateness is how long past one interval the board has gone without a fresh reading. It counts as
 * late past half an interval more (1.5 s between readings at the default 1 s), which absorbs
 * timer jitter on a busy board but not a missed tick. The log gets one warning when a late
 * episode starts and one line when samples are on time again; telemetry carries the lateness in
 * `sampleLateMs` for as long as it lasts.
 */
import type { Logger } from '../shared/logger.js';

export interface SampleWatchdogOptions {
  intervalMs: number;
  now: () => number;
  logger: Logger;
}

export class SampleWatchdog {
  private lastFreshAt: number;
  private late = false;

  constructor(private readonly o: SampleWatchdogOptions) {
    this.lastFreshAt = o.now();
  }

  /** A fresh reading goes out now: its lateness, or undefined when on time. */
  fresh(): number | undefined {
    const now = this.o.now();
    const late = this.lateness(now);
    this.lastFreshAt = now;
    if (late === undefined) {
      if (this.late) this.o.logger.info('telemetry samples on time again');
      this.late = false;
      return undefined;
    }
    this.startEpisode(late, 'telemetry sample late: the board went without a fresh reading past its interval');
    return late;
  }

  /**
   * A tick found the previous sample still running (or failing): its lateness when a telemetry
   * without readings should go out in its place, or undefined while still within tolerance.
   */
  stalled(): number | undefined {
    const late = this.lateness(this.o.now());
    if (late !== undefined) this.startEpisode(late, 'sensing has not answered; publishing telemetry without readings until it does');
    return late;
  }

  private lateness(now: number): number | undefined {
    const late = Math.round(now - this.lastFreshAt - this.o.intervalMs);
    return late > this.o.intervalMs / 2 ? late : undefined;
  }

  private startEpisode(lateMs: number, message: string): void {
    if (this.late) return;
    this.late = true;
    this.o.logger.warn({ lateMs, intervalMs: this.o.intervalMs }, message);
  }
}
