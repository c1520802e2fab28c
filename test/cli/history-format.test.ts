import { describe, expect, it } from 'vitest';
import { bucket, historyLines, sparkline } from '../../cli/format/history.js';
import type { HistoryView } from '../../manager/history/telemetry-history.js';

describe('kelvin node history output', () => {
  it('averages slots into the width it has, leaving a gap where a cell had no reading', () => {
    expect(bucket([1, 3, null, null, 5, 7], 3)).toEqual([2, null, 6]);
    expect(bucket([1, 2], 10)).toEqual([1, 2]);
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([50, null, 50], 3)).toBe('▄ ▄');
    expect(sparkline([null, null], 2)).toBe('  ');
  });

  it('prints one line per metric with min, max and the latest reading; minutes use their extremes', () => {
    const view: HistoryView = {
      nodeId: 'n1',
      resolution: '1m',
      stepMs: 60_000,
      t: [0, 60_000, 120_000],
      avg: { cpuTempC: [50, 60, null], load1: [null, null, null] },
      min: { cpuTempC: [45, 58, null], load1: [null, null, null] },
      max: { cpuTempC: [55, 71, null], load1: [null, null, null] },
    };
    expect(historyLines('pi-a', '3m', view, 50).split('\n')).toEqual([
      'pi-a: last 3m at 1m (3 slots)',
      'cpu temp  ▁█   min 45.0 C  max 71.0 C  now 60.0 C',
      `load${' '.repeat(5 + 1 + 3)}  min -  max -  now -`,
      '',
    ]);
  });
});
