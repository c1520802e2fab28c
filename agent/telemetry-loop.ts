/**
 * The per-second telemetry path: sample the board, publish, keep `seq` counting up from 0 (a
 * receiver can count losses). A sample still running when the next tick is due makes that tick
 * skip, not pile up; once the board has gone too long without a fresh reading (SampleWatchdog),
 * each tick publishes a telemetry without readings instead, carrying `sampleLateMs`, so the
 * manager hears that the board is alive and that its sensing is stuck, rather than nothing.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../shared/logger.js';
import type { Telemetry } from '../shared/payloads/telemetry.js';
import { SampleWatchdog } from './sample-watchdog.js';
import type { Reading } from './sensing.js';

export interface TelemetryLoopOptions {
  intervalMs: number;
  sample: () => Promise<Reading>;
  /** Sees each fresh reading before it goes out (local heat protection). */
  observe: (reading: Reading) => void;
  publish: (telemetry: Telemetry) => void;
  /** Whether the board has GPUs, whose readings a telemetry without readings marks stale. */
  hasGpus: () => boolean;
  now?: () => number;
  logger: Logger;
}

/** What a telemetry says when sensing has not answered: nothing known, and GPUs stale. */
function withoutReadings(ts: number, hasGpus: boolean): Reading {
  const power = { underVoltageNow: null, underVoltageOccurred: null, throttledNow: null, freqCappedNow: null, softTempLimitNow: null, inputVolts: null };
  return { ts, cpuTempC: null, temps: [], voltages: [], power, gpus: [], gpuStale: hasGpus, load1: null, memUsedBytes: null };
}

export class TelemetryLoop {
  private readonly now: () => number;
  private readonly watchdog: SampleWatchdog;
  private seq = 0;
  private sampling = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: TelemetryLoopOptions) {
    this.now = o.now ?? Date.now;
    this.watchdog = new SampleWatchdog({ intervalMs: o.intervalMs, now: this.now, logger: o.logger });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One interval's work; resolves when this tick's sample (if it started one) is done. */
  async tick(): Promise<void> {
    if (this.sampling) {
      this.standInIfLate();
      return;
    }
    this.sampling = true;
    const started = performance.now();
    try {
      const reading = await this.o.sample();
      this.o.observe(reading);
      const late = this.watchdog.fresh();
      const seq = this.send({ ...reading, ...(late === undefined ? {} : { sampleLateMs: late }) });
      this.o.logger.debug({ seq, tickMs: Number((performance.now() - started).toFixed(3)) }, 'telemetry tick');
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'telemetry sample failed');
      this.standInIfLate();
    } finally {
      this.sampling = false;
    }
  }

  private standInIfLate(): void {
    const late = this.watchdog.stalled();
    if (late !== undefined) this.send({ ...withoutReadings(this.now(), this.o.hasGpus()), sampleLateMs: late });
  }

  private send(reading: Reading): number {
    const seq = this.seq++;
    this.o.publish({ v: 1, seq, ...reading });
    return seq;
  }
}
