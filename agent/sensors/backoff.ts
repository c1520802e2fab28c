/** Exponential restart delay: 1 s, 2 s, 4 s ... up to a minute; back to the start once things work. */
export class Backoff {
  private current: number;

  constructor(
    private readonly initialMs = 1_000,
    private readonly maxMs = 60_000,
  ) {
    this.current = initialMs;
  }

  /** The delay to wait now; the one after it is twice as long (capped). */
  next(): number {
    const delay = this.current;
    this.current = Math.min(this.current * 2, this.maxMs);
    return delay;
  }

  reset(): void {
    this.current = this.initialMs;
  }
}
