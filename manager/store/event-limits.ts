/**
 * Keeps one noisy node from flooding or erasing the event log. Each (kind, subject) pair may write
 * `perWindow` events a window; repeats beyond that collapse into one summary row per window
 * (`node.reboot x1234 in the last minute: ...`) whose count grows in place. Retention is by age and
 * by a quota per subject (a node's id for node events), with a total cap only as a last resort,
 * so a flood from one subject evicts its own history, never the others'.
 */

export interface EventLimits {
  /** Events one (kind, subject) pair writes as rows per window before repeats collapse. */
  perWindow: number;
  windowMs: number;
  /** Rows older than this are deleted. */
  maxAgeMs: number;
  /** Rows kept per subject; its oldest go first. */
  perSubject: number;
  /** Rows kept in all; a bound on the file, reached only with thousands of busy subjects. */
  total: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = {
  perWindow: 10,
  windowMs: 60_000,
  maxAgeMs: 30 * 24 * 3600_000,
  perSubject: 1000,
  total: 200_000,
};

/** What to do with one event: write it as a row, or fold it into the window's summary row. */
export type EventAdmission = { record: true } | { record: false; repeats: number; summaryId: number | null };

interface Window {
  startedAt: number;
  written: number;
  repeats: number;
  summaryId: number | null;
}

/** Past this many tracked pairs, those whose window has closed are forgotten. */
const MAX_TRACKED = 10_000;

export class EventRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly limits: Pick<EventLimits, 'perWindow' | 'windowMs'>) {}

  admit(kind: string, subject: string, now: number): EventAdmission {
    const key = `${kind}\u0000${subject}`;
    let w = this.windows.get(key);
    if (!w || now - w.startedAt >= this.limits.windowMs) {
      if (!w && this.windows.size >= MAX_TRACKED) this.forgetClosed(now);
      w = { startedAt: now, written: 0, repeats: 0, summaryId: null };
      this.windows.set(key, w);
    }
    if (w.written < this.limits.perWindow) {
      w.written++;
      return { record: true };
    }
    w.repeats++;
    return { record: false, repeats: w.repeats, summaryId: w.summaryId };
  }

  /** The row that holds this window's collapsed repeats. */
  setSummary(kind: string, subject: string, id: number): void {
    const w = this.windows.get(`${kind}\u0000${subject}`);
    if (w) w.summaryId = id;
  }

  private forgetClosed(now: number): void {
    for (const [key, w] of this.windows) if (now - w.startedAt >= this.limits.windowMs) this.windows.delete(key);
    if (this.windows.size >= MAX_TRACKED) this.windows.clear();
  }
}

/** `node.reboot x1234 in the last minute: node pi-1 rebooted` */
export function collapsedMessage(kind: string, repeats: number, windowMs: number, latest: string): string {
  const span = windowMs === 60_000 ? 'minute' : `${Math.round(windowMs / 1000)}s`;
  return `${kind} x${repeats} in the last ${span}: ${latest}`;
}
