import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryTemporary } from '../../../agent/runtime/task-retry.js';
import { RuntimeError } from '../../../agent/runtime/types.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A step that fails with the given errors in turn, then succeeds; records when it ran. */
function flaky(errors: Error[]) {
  const calls: number[] = [];
  const step = async (): Promise<void> => {
    calls.push(Date.now());
    const err = errors.shift();
    if (err) throw err;
  };
  return { step, calls };
}

describe('retrying task steps', () => {
  it('retries temporary errors with doubling delays, capped', async () => {
    const { step, calls } = flaky([1, 2, 3, 4].map(() => new RuntimeError('engine restarting', 'temporary')));
    const delays: number[] = [];
    const outcome = retryTemporary(step, {
      signal: new AbortController().signal,
      baseDelayMs: 500,
      maxDelayMs: 2000,
      onRetry: (_e, ms) => delays.push(ms),
    });
    await vi.runAllTimersAsync();
    expect(await outcome).toEqual({ ok: true });
    expect(delays).toEqual([500, 1000, 2000, 2000]);
    expect(calls.map((t) => t - calls[0]!)).toEqual([0, 500, 1500, 3500, 5500]);
  });

  it('gives up at once on a permanent error, and treats an unknown error as permanent', async () => {
    for (const err of [new RuntimeError('image not found', 'permanent'), new TypeError('bug')]) {
      const { step, calls } = flaky([err]);
      const outcome = await retryTemporary(step, { signal: new AbortController().signal });
      expect(outcome).toMatchObject({ ok: false, cancelled: false, error: { kind: 'permanent', message: err.message } });
      expect(calls).toHaveLength(1);
    }
  });

  it('stops waiting when aborted (the task was dropped)', async () => {
    const { step, calls } = flaky([new RuntimeError('engine restarting', 'temporary'), new RuntimeError('again', 'temporary')]);
    const abort = new AbortController();
    const outcome = retryTemporary(step, { signal: abort.signal, baseDelayMs: 10_000 });
    await vi.advanceTimersByTimeAsync(100);
    abort.abort();
    expect(await outcome).toMatchObject({ ok: false, cancelled: true });
    expect(calls).toHaveLength(1);
  });
});
