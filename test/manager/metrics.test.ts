import { describe, expect, it } from 'vitest';
import { ManagerMetrics } from '../../manager/metrics.js';

/** The value of one sample line, e.g. `kelvin_nodes{state="ready"} 3`. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe('ManagerMetrics', () => {
  it('renders every kelvin metric and the process metrics in Prometheus text format', async () => {
    const metrics = new ManagerMetrics();
    const text = await metrics.render();
    for (const name of [
      'kelvin_telemetry_messages_total',
      'kelvin_ingest_lag_seconds',
      'kelvin_scheduling_latency_seconds',
      'kelvin_placements_total',
      'kelvin_migrations_total',
      'kelvin_alerts_total',
      'kelvin_nodes',
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });

  it('counts telemetry by result and observes ingest lag only for accepted messages', async () => {
    const metrics = new ManagerMetrics();
    metrics.telemetry(true, 40);
    metrics.telemetry(true, 2500);
    metrics.telemetry(false, 10);
    metrics.telemetry(true, -5); // board clock ahead: counted as no lag
    const text = await metrics.render();
    expect(sample(text, 'kelvin_telemetry_messages_total{result="accepted"}')).toBe(3);
    expect(sample(text, 'kelvin_telemetry_messages_total{result="rejected"}')).toBe(1);
    expect(sample(text, 'kelvin_ingest_lag_seconds_count')).toBe(3);
    expect(sample(text, 'kelvin_ingest_lag_seconds_bucket{le="0.05"}')).toBe(2);
    expect(sample(text, 'kelvin_ingest_lag_seconds_bucket{le="2.5"}')).toBe(3);
    expect(sample(text, 'kelvin_ingest_lag_seconds_sum')).toBeCloseTo(2.54, 5);
  });

  it('counts placements, migrations and alerts by kind', async () => {
    const metrics = new ManagerMetrics();
    metrics.placement(3, 12);
    metrics.placement(0, 1);
    metrics.migration();
    metrics.migration();
    metrics.alert('thermal.throttle');
    metrics.alert('node.down');
    metrics.alert('node.down');
    const text = await metrics.render();
    expect(sample(text, 'kelvin_placements_total')).toBe(3);
    expect(sample(text, 'kelvin_scheduling_latency_seconds_count')).toBe(2);
    expect(sample(text, 'kelvin_migrations_total')).toBe(2);
    expect(sample(text, 'kelvin_alerts_total{kind="node.down"}')).toBe(2);
    expect(sample(text, 'kelvin_alerts_total{kind="thermal.throttle"}')).toBe(1);
  });

  it('reads node states from the callback at every scrape, dropping states that vanished', async () => {
    const metrics = new ManagerMetrics();
    let states: Record<string, number> = { ready: 4, down: 1 };
    metrics.setNodeStateSource(() => states);
    let text = await metrics.render();
    expect(sample(text, 'kelvin_nodes{state="ready"}')).toBe(4);
    expect(sample(text, 'kelvin_nodes{state="down"}')).toBe(1);
    states = { ready: 5 };
    text = await metrics.render();
    expect(sample(text, 'kelvin_nodes{state="ready"}')).toBe(5);
    expect(sample(text, 'kelvin_nodes{state="down"}')).toBeNull();
  });

  it('keeps each instance separate from the others and from the global registry', async () => {
    const a = new ManagerMetrics();
    const b = new ManagerMetrics();
    a.migration();
    expect(sample(await a.render(), 'kelvin_migrations_total')).toBe(1);
    expect(sample(await b.render(), 'kelvin_migrations_total')).toBe(0);
  });
});
