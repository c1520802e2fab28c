/**
 * `kelvin node history`: one sparkline per metric, squeezed into the terminal's width (each cell
 * the average of its slots; a cell with no data is blank, so a quiet board shows a gap), with the
 * lowest, highest and latest value beside it.
 */
import { terminalSafe } from '../terminal-safe.js';
import type { HistoryView } from '../../manager/history/telemetry-history.js';
import type { MetricName } from '../../manager/history/node-history.js';
import { formatLines } from '../output.js';

const BARS = '▁▂▃▄▅▆▇█';

const LABELS: Record<MetricName, { label: string; unit: string; digits: number }> = {
  cpuTempC: { label: 'cpu temp', unit: ' C', digits: 1 },
  volts: { label: 'volts', unit: ' V', digits: 2 },
  load1: { label: 'load', unit: '', digits: 2 },
  gpuTempC: { label: 'gpu temp', unit: ' C', digits: 1 },
  gpuUtilPct: { label: 'gpu use', unit: ' %', digits: 0 },
};

/** Averages `values` into `width` cells (fewer when there are fewer values); null where a cell has none. */
export function bucket(values: ReadonlyArray<number | null>, width: number): Array<number | null> {
  const cells = Math.max(1, Math.min(width, values.length));
  const out: Array<number | null> = [];
  for (let c = 0; c < cells; c++) {
    const slice = values.slice(Math.floor((c * values.length) / cells), Math.floor(((c + 1) * values.length) / cells)).filter((v): v is number => v !== null);
    out.push(slice.length === 0 ? null : slice.reduce((a, b) => a + b, 0) / slice.length);
  }
  return out;
}

export function sparkline(values: ReadonlyArray<number | null>, width: number): string {
  const cells = bucket(values, width);
  const known = cells.filter((v): v is number => v !== null);
  if (known.length === 0) return ' '.repeat(cells.length);
  const lo = Math.min(...known);
  const span = Math.max(...known) - lo;
  return cells.map((v) => (v === null ? ' ' : BARS[span === 0 ? 3 : Math.min(BARS.length - 1, Math.floor(((v - lo) / span) * BARS.length))])).join('');
}

export function historyLines(hostname: string, sinceText: string, view: HistoryView, columns: number): string {
  const width = Math.max(10, Math.min(240, columns - 40));
  // The hostname is the board's own word: escaped like every board string printed for people.
  const lines = [`${terminalSafe(hostname)}: last ${sinceText} at ${view.resolution} (${view.t.length} slots)`];
  for (const [name, values] of Object.entries(view.avg) as Array<[MetricName, Array<number | null>]>) {
    const { label, unit, digits } = LABELS[name];
    const known = values.filter((v): v is number => v !== null);
    const fmt = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(digits)}${unit}`);
    const latest = [...values].reverse().find((v) => v !== null) ?? undefined;
    const lo = known.length ? Math.min(...(view.min?.[name] ?? values).filter((v): v is number => v !== null)) : undefined;
    const hi = known.length ? Math.max(...(view.max?.[name] ?? values).filter((v): v is number => v !== null)) : undefined;
    lines.push(`${label.padEnd(9)} ${sparkline(values, width)}  min ${fmt(lo)}  max ${fmt(hi)}  now ${fmt(latest)}`);
  }
  return formatLines(lines);
}
