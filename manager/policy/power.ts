/**
 * One node's power state. Any under-voltage reading makes it `unstable` at once; it is `stable` again
 * only on a clean reading once no under-voltage has been seen for `stableMs` (a new dip restarts
 * that clock). A null reading changes nothing. Brownouts count each separate dip: a new under-voltage
 * after a clean reading, or a reboot blamed on power that telemetry had not caught live.
 */
import type { PowerReading } from '../../shared/payloads/telemetry.js';

export type PowerState = 'stable' | 'unstable';

export class PowerTracker {
  state: PowerState = 'stable';
  brownouts = 0;
  /** The latest reading, as the board gave it. */
  last: PowerReading | null = null;
  /** When under-voltage was last seen. */
  lastDipAt: number | null = null;
  /** Last non-null `underVoltageNow`: a null between two dips does not split them. */
  private lastKnownDip = false;

  constructor(private readonly stableMs: number) {}

  /** The new state when it changed, else null. */
  observe(reading: PowerReading, now: number): PowerState | null {
    this.last = reading;
    if (reading.underVoltageNow === true) {
      if (!this.lastKnownDip) this.brownouts++;
      this.lastKnownDip = true;
      return this.dipped(now);
    }
    if (reading.underVoltageNow === false) {
      this.lastKnownDip = false;
      if (this.state === 'unstable' && now - (this.lastDipAt ?? now) >= this.stableMs) {
        this.state = 'stable';
        return 'stable';
      }
    }
    return null;
  }

  /** A reboot was blamed on power (dip at `at`); `seenLive`: telemetry already counted this dip. */
  brownedOut(at: number, seenLive: boolean): PowerState | null {
    if (!seenLive) this.brownouts++;
    return this.dipped(Math.max(at, this.lastDipAt ?? at));
  }

  private dipped(at: number): PowerState | null {
    this.lastDipAt = at;
    if (this.state === 'unstable') return null;
    this.state = 'unstable';
    return 'unstable';
  }
}

/** The last reading before a reboot showed under-voltage, now or since boot: the reboot was a brownout. */
export function showsUnderVoltage(reading: PowerReading | null): boolean {
  return reading?.underVoltageNow === true || reading?.underVoltageOccurred === true;
}
