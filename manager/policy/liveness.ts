/**
 * One node's comings and goings: unclean drops (`node.down`), what a return means (a new boot id is
 * a reboot, the same one a network blip), and flapping: `flapCount` unclean drops within `windowMs`
 * quarantine the node for a backoff that doubles with each further drop while the drops keep coming
 * (base, 2x base, 4x base ... capped at maxMs). A drop that finds fewer than `flapCount` drops in
 * the window starts the backoff over.
 */

export interface FlapOptions {
  windowMs: number;
  flapCount: number;
  quarantineBaseMs: number;
  quarantineMaxMs: number;
}

export interface Drop {
  /** Unclean drops within the window, this one included. */
  recentDrops: number;
  /** Set when this drop (re)started or extended a quarantine. */
  quarantine: { durationMs: number; until: number; extended: boolean } | null;
}

/** `first`: seen for the first time; `planned`: new boot after a clean shutdown; `same`: nothing happened. */
export type Return = { kind: 'first' | 'planned' | 'same' | 'blip' } | { kind: 'reboot'; previousBootId: string };

export class LivenessTracker {
  private bootId: string | null = null;
  private online = false;
  /** When and how the node last went offline while we saw it online. */
  private offline: { at: number; clean: boolean } | null = null;
  private drops: number[] = [];
  private backoffStep = 0;
  quarantinedUntil: number | null = null;

  constructor(private readonly o: FlapOptions) {}

  /** When the node went offline uncleanly and has not come back, else null. */
  get droppedAt(): number | null {
    return this.offline && !this.offline.clean ? this.offline.at : null;
  }

  isQuarantined(now: number): boolean {
    return this.quarantinedUntil !== null && now < this.quarantinedUntil;
  }

  /** Null when the node was not known online (repeated offline reports, or a manager restart). */
  wentOffline(clean: boolean, now: number): Drop | null {
    if (!this.online) return null;
    this.online = false;
    this.offline = { at: now, clean };
    if (clean) return { recentDrops: 0, quarantine: null };
    this.drops = this.drops.filter((t) => now - t < this.o.windowMs);
    this.drops.push(now);
    if (this.drops.length < this.o.flapCount) {
      this.backoffStep = 0;
      return { recentDrops: this.drops.length, quarantine: null };
    }
    const extended = this.isQuarantined(now);
    const durationMs = Math.min(this.o.quarantineBaseMs * 2 ** this.backoffStep, this.o.quarantineMaxMs);
    this.backoffStep++;
    this.quarantinedUntil = now + durationMs;
    return { recentDrops: this.drops.length, quarantine: { durationMs, until: this.quarantinedUntil, extended } };
  }

  cameOnline(bootId: string): Return {
    const previous = this.bootId;
    const offline = this.offline;
    this.bootId = bootId;
    this.online = true;
    this.offline = null;
    if (previous === null) return { kind: 'first' };
    if (previous !== bootId) return offline?.clean ? { kind: 'planned' } : { kind: 'reboot', previousBootId: previous };
    return offline && !offline.clean ? { kind: 'blip' } : { kind: 'same' };
  }

  /** True once, when a quarantine has run out. */
  quarantineEnded(now: number): boolean {
    if (this.quarantinedUntil === null || now < this.quarantinedUntil) return false;
    this.quarantinedUntil = null;
    return true;
  }
}
