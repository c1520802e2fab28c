/**
 * One timer for the whole fleet instead of one setInterval per board: the interval is cut into
 * slots, each board sits in one slot, and each tick serves one slot. Boards' samples are so spread
 * evenly over the interval, and a thousand boards cost one timer. Slots are served by the clock,
 * not by counting timer callbacks: a timer that fires late (a busy event loop, interval drift)
 * catches up instead of stretching every board's period.
 */
export class TickWheel<T> {
  private readonly slots: T[][];
  private served = 0;
  private startedAt = 0;
  private added = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    slotCount: number,
    private readonly onTick: (item: T) => void,
  ) {
    this.slots = Array.from({ length: Math.max(1, Math.floor(slotCount)) }, () => []);
  }

  /** Slots for an interval: one every 20 ms or so, at most 100. */
  static slotsFor(intervalMs: number): number {
    return Math.max(1, Math.min(100, Math.floor(intervalMs / 20)));
  }

  /** Round-robin placement keeps the slots within one member of each other. */
  add(item: T): void {
    (this.slots[this.added++ % this.slots.length] as T[]).push(item);
  }

  start(): void {
    if (this.timer) return;
    this.startedAt = Date.now();
    this.served = 0;
    this.timer = setInterval(() => this.catchUp(), this.slotMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private get slotMs(): number {
    return this.intervalMs / this.slots.length;
  }

  /** Serves every slot that has come due since the last call, in order. */
  private catchUp(): void {
    const due = Math.floor((Date.now() - this.startedAt) / this.slotMs);
    for (; this.served < due; this.served++) {
      for (const item of this.slots[this.served % this.slots.length] as T[]) this.onTick(item);
    }
  }
}
