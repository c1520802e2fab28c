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
 * - a read waits for a slot only behind reads that are still running (healthy ones take well
 *   under a millisecond; a hung one is abandoned within the deadline); once every slot is held by
 *   an abandoned read, every other sensor reads stale at once (`no-slot`) until one answers.
 * Non-regular files never get here (see bounded-read.ts), so a FIFO takes no thread at all.
 */
import { performance } from 'node:perf_hooks';

/** A timer this late means the event loop itself was blocked (see loopTimeout). */
const LOOP_STALL_MS = 50;

/**
 * Resolves null after `ms` of a responsive event loop. A read only progresses when the loop runs
 * (each of its steps is a callback), and after a blocked loop (a GC pause, a sync call) timers run
 * before I/O callbacks: so a timer that fires late starts over rather than blame the sensor.
 */
function loopTimeout(ms: number): { expired: Promise<null>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<null>((resolve) => {
    const arm = (): void => {
      const due = performance.now() + ms;
      timer = setTimeout(() => (performance.now() - due > LOOP_STALL_MS ? arm() : resolve(null)), ms);
    };
    arm();
  });
  return { expired, cancel: () => clearTimeout(timer) };
}

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

  async run<T>(key: string, work: () => Promise<T>): Promise<Gated<T>> {
    if (this.held.has(key)) return { kind: 'held' };
    if (!(await this.acquire())) return { kind: 'no-slot' };
    const started = performance.now();
    const settled: Promise<Settled<T>> = work().then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
    const expiry = loopTimeout(this.o.timeoutMs);
    const first = await Promise.race([settled, expiry.expired]);
    expiry.cancel();
    if (first === null) {
      this.held.add(key);
      if (this.held.size >= this.o.slots) for (const refuse of this.waiting.splice(0)) refuse(false);
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

  /**
   * A slot, first come first served. Waiting behind healthy reads is short and never fails; only
   * when every slot is held by an abandoned read is the answer no (at once, and for the waiters).
   */
  private acquire(): Promise<boolean> {
    if (this.held.size >= this.o.slots) return Promise.resolve(false);
    if (this.busy < this.o.slots) {
      this.busy++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.busy--;
  }
}
