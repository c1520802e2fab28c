/**
 * Raspberry Pi 5 input voltage from the PMIC, via `vcgencmd pmic_read_adc EXT5V_V`. Each call
 * spawns a process, so a background refresher runs it at most every 10 s (never overlapping, with
 * a timeout) and the per-second path only reads the cached value, which expires when refreshes
 * keep failing.
 */
import { execFile } from 'node:child_process';
import type { Logger } from '../../shared/logger.js';

export const PMIC_REFRESH_MS = 10_000;
const PMIC_TIMEOUT_MS = 2_000;
/** A value older than this is no longer the board's input voltage. */
const PMIC_MAX_AGE_MS = 30_000;

/** Pi under-voltage threshold (all models since the B+). */
export const PI_UNDER_VOLTAGE_V = 4.63;

export interface PmicRail {
  rail: string;
  unit: 'A' | 'V';
  value: number;
}

/** Parses `pmic_read_adc` output lines such as `     EXT5V_V volt(24)=5.05716000V`. */
export function parsePmicAdc(text: string): PmicRail[] {
  const rails: PmicRail[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)_([AV])\s+(current|volt)\(\d+\)=([\d.]+)[AV]\s*$/.exec(line);
    if (m?.[1] && m[4]) rails.push({ rail: m[1], unit: m[2] === 'A' ? 'A' : 'V', value: Number(m[4]) });
  }
  return rails;
}

export class PmicInputReader {
  private volts: number | null = null;
  private readAt = 0;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failureLogged = false;

  constructor(
    private readonly vcgencmd: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /** Reads once (bounded by the timeout) so the first sample has a value, then refreshes in the background. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), PMIC_REFRESH_MS);
    this.timer.unref();
  }

  /** The cached EXT5V input voltage, or null when none was read recently. */
  inputVolts(): number | null {
    return this.volts !== null && this.now() - this.readAt <= PMIC_MAX_AGE_MS ? this.volts : null;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private refresh(): Promise<void> {
    this.running ??= this.readOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private readOnce(): Promise<void> {
    return new Promise((resolve) => {
      execFile(this.vcgencmd, ['pmic_read_adc', 'EXT5V_V'], { env: this.env, timeout: PMIC_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, stdout) => {
        const ext5v = err ? undefined : parsePmicAdc(stdout).find((r) => r.rail === 'EXT5V' && r.unit === 'V');
        if (ext5v) {
          this.volts = ext5v.value;
          this.readAt = this.now();
          this.failureLogged = false;
        } else if (!this.failureLogged) {
          this.failureLogged = true;
          this.logger.warn({ vcgencmd: this.vcgencmd, err: err?.message ?? 'no EXT5V_V line' }, 'cannot read the Pi 5 input voltage');
        }
        resolve();
      });
    });
  }
}
