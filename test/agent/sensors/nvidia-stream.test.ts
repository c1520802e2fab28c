/** The streaming nvidia-smi process: a silent one is killed and replaced, with backoff. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as realSleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NvidiaStream } from '../../../agent/sensors/nvidia-stream.js';
import { silentLogger } from '../../../shared/logger.js';
import { FIXTURE_BIN, fixtureEnv } from './fixture-boards.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanup.splice(0)) await c();
});

function streamCalls(log: string): number {
  try {
    return readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('-lms')).length;
  } catch {
    return 0;
  }
}

describe('nvidia-smi stream watchdog', () => {
  it('kills a stream that printed nothing for 10 s and starts a new one after the backoff', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = mkdtempSync(join(tmpdir(), 'kelvin-stream-'));
    const log = join(dir, 'calls.log');
    const stream = new NvidiaStream({
      binary: join(FIXTURE_BIN, 'nvidia-smi'),
      env: fixtureEnv('/nonexistent', { vars: { FAKE_NVIDIA_SMI_MODE: 'hang', FAKE_NVIDIA_SMI_LOG: log } }),
      now: Date.now,
      logger: silentLogger(),
    });
    cleanup.push(() => stream.close(), () => rmSync(dir, { recursive: true, force: true }));
    stream.start();
    for (let i = 0; i < 100 && streamCalls(log) < 1; i++) await realSleep(50);
    expect(streamCalls(log)).toBe(1);

    vi.advanceTimersByTime(9_000);
    await realSleep(300);
    expect(streamCalls(log)).toBe(1);

    // 10 s of silence: killed; its exit schedules a restart 1 s later.
    vi.advanceTimersByTime(1_000);
    for (let i = 0; i < 100 && streamCalls(log) < 2; i++) {
      await realSleep(50);
      vi.advanceTimersByTime(100);
    }
    expect(streamCalls(log)).toBe(2);
    expect(stream.reading(0)).toBeNull();
  });
});
