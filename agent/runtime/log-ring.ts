/**
 * The last N log lines of one task in memory, with followers: `kelvin service logs -f` attaches
 * here. Bounded so a chatty task cannot grow the agent's memory.
 */
import type { LogLine } from '../../shared/payloads/logs.js';
import type { LogOptions } from './types.js';

export const DEFAULT_RING_LINES = 1000;

export class LogRing {
  private readonly lines: LogLine[] = [];
  private readonly wakers = new Set<() => void>();
  private ended = false;
  /** Total lines ever pushed: a follower's cursor, stable while old lines fall off the front. */
  private pushed = 0;

  constructor(private readonly capacity = DEFAULT_RING_LINES) {}

  push(line: LogLine): void {
    if (this.ended) return;
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
    this.pushed++;
    this.wake();
  }

  /** The last `count` lines (all kept lines when null). */
  tail(count: number | null): LogLine[] {
    if (count === null) return [...this.lines];
    return count <= 0 ? [] : this.lines.slice(-count);
  }

  /** The task ended: followers drain what is left and finish. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  async *read(options: LogOptions): AsyncGenerator<LogLine> {
    const first = this.tail(options.tail);
    let cursor = this.pushed;
    yield* first;
    if (!options.follow) return;
    const signal = options.signal;
    while (!signal?.aborted) {
      const behind = this.pushed - cursor;
      if (behind > 0) {
        // A follower slower than the ring's capacity loses the lines that fell off, as with `tail -f` on a rotated file.
        const fresh = this.lines.slice(-Math.min(behind, this.lines.length));
        cursor = this.pushed;
        yield* fresh;
        continue;
      }
      if (this.ended) return;
      await this.nextChange(signal);
    }
  }

  private nextChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.wakers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }
}
