/**
 * The telemetry watchdog, on an injected clock with a collector the test stalls and releases:
 * a stalled sample never stops the telemetry stream, and lateness is said once in the log and in
 * every telemetry while it lasts.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Reading } from '../../agent/sensing.js';
import { SampleWatchdog } from '../../agent/sample-watchdog.js';
import { TelemetryLoop } from '../../agent/telemetry-loop.js';
import { telemetry, type Telemetry } from '../../shared/payloads/telemetry.js';

const INTERVAL = 1_000;

function capture() {
  const lines: Array<{ level: number; msg: string; lateMs?: number }> = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as { level: number; msg: string }) });
  return { logger, lines };
}

function reading(ts: number): Reading {
  const power = { underVoltageNow: false, underVoltageOccurred: false, throttledNow: false, freqCappedNow: false, softTempLimitNow: false, inputVolts: null };
  return { ts, cpuTempC: 55, temps: [{ sensor: 'cpu-thermal', tempC: 55 }], voltages: [], power, gpus: [], gpuStale: false, load1: 0.5, memUsedBytes: 1024 };
}

/** A collector whose samples hang from `stall()` until `release()`. */
function stallableCollector(now: () => number) {
  let gate: Promise<void> | null = null;
  let open = (): void => undefined;
  return {
    stall(): void {
      gate = new Promise((resolve) => (open = resolve));
    },
    release(): void {
      open();
      gate = null;
    },
    sample: async (): Promise<Reading> => {
      if (gate) await gate;
      return reading(now());
    },
  };
}

describe('TelemetryLoop with a stalled collector', () => {
  it('publishes every tick while sensing hangs, with sampleLateMs growing, and says so once in the log', async () => {
    let t = 0;
    const now = () => t;
    const { logger, lines } = capture();
    const collector = stallableCollector(now);
    const sent: Telemetry[] = [];
    const observed: Reading[] = [];
    const loop = new TelemetryLoop({ intervalMs: INTERVAL, sample: collector.sample, observe: (r) => observed.push(r), publish: (m) => sent.push(m), hasGpus: () => true, now, logger });

    t = 1_000;
    await loop.tick();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.sampleLateMs).toBeUndefined();

    collector.stall();
    t = 2_000;
    const hung = loop.tick(); // this sample never answers until released
    for (const at of [3_000, 4_000, 5_000]) {
      t = at;
      await loop.tick();
    }
    // Ticks at 3 s, 4 s and 5 s each published a telemetry without readings; seq keeps counting.
    expect(sent.map((m) => m.seq)).toEqual([0, 1, 2, 3]);
    expect(sent.slice(1).map((m) => m.sampleLateMs)).toEqual([1_000, 2_000, 3_000]);
    for (const m of sent.slice(1)) {
      expect(m).toMatchObject({ cpuTempC: null, temps: [], load1: null, gpuStale: true });
      expect(telemetry.safeParse(m).success).toBe(true);
    }
    expect(observed).toHaveLength(1); // local heat protection never sees the empty stand-ins

    t = 5_500;
    collector.release();
    await hung;
    expect(sent.at(-1)).toMatchObject({ seq: 4, cpuTempC: 55, sampleLateMs: 3_500 });
    t = 6_500;
    await loop.tick();
    expect(sent.at(-1)?.sampleLateMs).toBeUndefined();

    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'sensing has not answered; publishing telemetry without readings until it does'],
      [30, 'telemetry samples on time again'],
    ]);
    expect(lines[0]?.lateMs).toBe(1_000);
  });

  it('keeps publishing when the collector fails outright', async () => {
    let t = 0;
    const { logger } = capture();
    const sent: Telemetry[] = [];
    const loop = new TelemetryLoop({
      intervalMs: INTERVAL,
      sample: () => Promise.reject(new Error('boom')),
      observe: () => undefined,
      publish: (m) => sent.push(m),
      hasGpus: () => false,
      now: () => t,
      logger,
    });
    for (const at of [1_000, 2_000, 3_000]) {
      t = at;
      await loop.tick();
    }
    expect(sent.map((m) => [m.seq, m.sampleLateMs, m.gpuStale])).toEqual([
      [0, 1_000, false],
      [1, 2_000, false],
    ]);
  });
});

describe('SampleWatchdog', () => {
  it('takes timer jitter up to half an interval as on time, and a missed tick as late', () => {
    let t = 0;
    const { logger, lines } = capture();
    const dog = new SampleWatchdog({ intervalMs: INTERVAL, now: () => t, logger });
    t = 1_400;
    expect(dog.fresh()).toBeUndefined();
    t = 2_900; // 1.5 s after the last: still within tolerance
    expect(dog.fresh()).toBeUndefined();
    t = 4_950; // a tick missed (the event loop was blocked)
    expect(dog.fresh()).toBe(1_050);
    t = 6_200; // on time again: the episode ends
    expect(dog.fresh()).toBeUndefined();
    t = 7_800;
    expect(dog.fresh()).toBe(600);
    t = 8_800;
    expect(dog.fresh()).toBeUndefined();
    expect(lines.map((l) => l.msg)).toEqual([
      'telemetry sample late: the board went without a fresh reading past its interval',
      'telemetry samples on time again',
      'telemetry sample late: the board went without a fresh reading past its interval',
      'telemetry samples on time again',
    ]);
  });
});
