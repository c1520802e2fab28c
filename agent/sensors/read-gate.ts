/**
 * Bounds sensor reads in time without letting abandoned reads stall the rest of the agent.
 *
 * A read that has not finished within `timeoutMs` is abandoned: the caller gets `timeout` and the
 * sample goes on. Node cannot cancel a read stuck in a driver (a hung I2C bus, a wedged sysfs
 * attribute), though: it keeps one libuv threadpool thread (4 by default, shared with DNS lookups,
 * crypto and every other fs call of the agent) until the kernel answers. So:
 * - sensor reads run in at most `slots` threads at once: hung reads can take those, never the pool;
 * - a key (the file's directory: one hwmon chip, one thermal zone) with an abandoned read still
 *   pending gets no new read until that one answers (`held`): a read is never re-issued to a hung
 *   sensor, and a hung driver, which usually hangs all its files, cannot take a second slot;
 * - waiting for a slot counts against the read's own deadline (`no-slot`), so with every slot hung
 *   all sensors read as stale, on time, instead of the sample waiting for them.
 * Non-regular files never get here (see bounded-read.ts), so a FIFO takes no thread at all.
 */
import { performance } from 'node:perf_hooks';

export type Gated<T> = { kind: 'done'; value: T } | { kind: 'timeout' } | { kind: 'held' } | { kind: 'no-slot' };

export interface ReadGateOptions {
  slots: number;
  timeoutMs: number;
  /** An abandoned read finally answered (or failed) after `elapsedMs`; its key takes reads again. */
  onLateFinish?: (key: string, elapsedMs: number) => void;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class ReadGate {
  private busy = 0;
  private readonly waiting: Array<(granted: boolean) => void> = [];
  private readonly held = new Set<string>();

  constructor(private readonly o: ReadGateOptions) {}

  /** Abandoned reads still holding a thread. */
  get hung(): number {
    return this.held.size;
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<Gated<T>> {
    if (this.held.has(key)) return { kind: 'held' };
    const deadline = performance.now() + this.o.timeoutMs;
    if (!(await this.acquire(deadline))) return { kind: 'no-slot' };
    const started = performance.now();
    if (started >= deadline) {
      this.release();
      return { kind: 'no-slot' };
    }
    const settled: Promise<Settled<T>> = work().then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), deadline - started)));
    const first = await Promise.race([settled, expired]);
    clearTimeout(timer);
    if (first === null) {
      this.held.add(key);
      void settled.then(() => {
        this.held.delete(key);
        this.release();
        this.o.onLateFinish?.(key, performance.now() - started);
      });
      return { kind: 'timeout' };
    }
    this.release();
    if (!first.ok) throw first.error;
    return { kind: 'done', value: first.value };
  }

  /** A slot before `deadline`, or false. Slots are handed over first come, first served. */
  private acquire(deadline: number): Promise<boolean> {
    if (this.busy < this.o.slots) {
      this.busy++;
      return Promise.resolve(true);
    }
    const wait = deadline - performance.now();
    if (wait <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const grant = (granted: boolean): void => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        resolve(false);
      }, wait);
      this.waiting.push(grant);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.busy--;
  }
}
