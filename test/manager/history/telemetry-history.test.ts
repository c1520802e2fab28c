import { describe, expect, it } from 'vitest';
import { NodeHistory } from '../../../manager/history/node-history.js';
import { TelemetryHistory } from '../../../manager/history/telemetry-history.js';
import { telemetrySample } from '../../helpers/telemetry-sample.js';

/** 2026-01-01T00:00:00Z: a whole minute, so slot boundaries are easy to read. */
const T0 = Date.UTC(2026, 0, 1);

function rig(): { history: TelemetryHistory; setNow: (ms: number) => void } {
  let now = T0;
  return { history: new TelemetryHistory({ now: () => now }), setNow: (ms) => void (now = ms) };
}

describe('telemetry history', () => {
  it('keeps one slot a second for the last hour, with gaps where the board said nothing', () => {
    const { history, setNow } = rig();
    for (const s of [0, 1, 2, 5]) history.record('n1', T0 + s * 1000 + 300, telemetrySample({ cpuTempC: 40 + s, load1: s / 10 }));
    setNow(T0 + 5999);
    const view = history.query('n1', 6000, '1s');
    expect(view.t).toEqual([0, 1, 2, 3, 4, 5].map((s) => T0 + s * 1000));
    expect(view.avg.cpuTempC).toEqual([40, 41, 42, null, null, 45]);
    expect(view.avg.load1).toEqual([0, 0.1, 0.2, null, null, 0.5]);
    expect(view.avg.volts).toEqual([5.1, 5.1, 5.1, null, null, 5.1]);
    expect(view.min).toBeUndefined();
    // No GPU on this board: no GPU series.
    expect(view.avg.gpuTempC).toBeUndefined();
  });

  it('downsamples to one slot a minute with the min, max and average of its samples, the current minute included', () => {
    const { history, setNow } = rig();
    // Minute 0: 40..99 C; minute 1: nothing; minute 2: 70, 72 (still being filled).
    for (let s = 0; s < 60; s++) history.record('n1', T0 + s * 1000, telemetrySample({ cpuTempC: 40 + s }));
    history.record('n1', T0 + 120_000, telemetrySample({ cpuTempC: 70 }));
    history.record('n1', T0 + 121_000, telemetrySample({ cpuTempC: 72, gpus: [{ index: 0, tempC: 60, utilPct: 30, memUsedBytes: null, thermalSlowdown: false }] }));
    setNow(T0 + 125_000);
    const view = history.query('n1', 3 * 60_000, '1m');
    expect(view.t).toEqual([T0, T0 + 60_000, T0 + 120_000]);
    expect(view.min?.cpuTempC).toEqual([40, null, 70]);
    expect(view.max?.cpuTempC).toEqual([99, null, 72]);
    expect(view.avg.cpuTempC).toEqual([69.5, null, 71]);
    // The GPU showed up in minute 2: its series start there.
    expect(view.avg.gpuTempC).toEqual([null, null, 60]);
  });

  it('forgets what is older than its window: 1 s slots after an hour, minutes after a day', () => {
    const { history, setNow } = rig();
    history.record('n1', T0, telemetrySample({ cpuTempC: 50 }));
    history.record('n1', T0 + 3_660_000, telemetrySample({ cpuTempC: 60 }));
    setNow(T0 + 3_660_000);
    const hour = history.query('n1', 3_600_000, '1s');
    expect(hour.t).toHaveLength(3600);
    expect(hour.avg.cpuTempC?.filter((v) => v !== null)).toEqual([60]);
    history.record('n1', T0 + 25 * 3_600_000, telemetrySample({ cpuTempC: 70 }));
    setNow(T0 + 25 * 3_600_000);
    const day = history.query('n1', 24 * 3_600_000, '1m');
    expect(day.t).toHaveLength(1440);
    expect(day.avg.cpuTempC?.filter((v) => v !== null)).toEqual([60, 70]);
  });

  it('ignores a sample from before the newest (a clock step back) and clamps hostile values', () => {
    const { history, setNow } = rig();
    history.record('n1', T0 + 2000, telemetrySample({ cpuTempC: 50 }));
    history.record('n1', T0 + 1000, telemetrySample({ cpuTempC: 99 }));
    history.record('n1', T0 + 3000, telemetrySample({ cpuTempC: 1e12, load1: Number.NaN }));
    setNow(T0 + 3500);
    const view = history.query('n1', 3000, '1s');
    expect(view.avg.cpuTempC).toEqual([null, 50, 3276.7]);
    expect(view.avg.load1).toEqual([null, 0.5, null]);
  });

  it('holds a bounded amount of memory per board', () => {
    const board = new NodeHistory();
    board.record(T0, telemetrySample());
    const bytes = board.bytes;
    for (let s = 1; s < 5000; s++) board.record(T0 + s * 1000, telemetrySample());
    expect(board.bytes).toBe(bytes);
    expect(bytes).toBeLessThan(60_000);
  });
});
