/**
 * The manager's Prometheus metrics: one private prom-client Registry (never the global default, so
 * two managers in one process, as in tests, do not share counters) holding the cluster metrics and
 * the default process metrics (RSS, CPU, event loop). The manager calls the small recording
 * methods; the API serves `render()` with `contentType` on `GET /metrics`.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Alert } from '../shared/payloads/alert.js';
import type { RejectReason } from '../shared/wire.js';

/**
 * Why a payload was dropped: failed the wire decoder, (identity) a node spoke of what is not its
 * own, or (address) a task endpoint named an address its node did not advertise.
 */
export type RejectionReason = RejectReason | 'identity' | 'address';

/** Node count per state ("ready", "down", ...), read when Prometheus scrapes. */
export type NodeStateSource = () => Record<string, number>;

/** Seconds; ingest lag on a LAN is milliseconds, but a backlogged manager can lag by many seconds. */
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SCHEDULING_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class ManagerMetrics {
  readonly registry = new Registry();
  private readonly telemetryMessages: Counter<'result'>;
  private readonly ingestLag: Histogram;
  private readonly schedulingLatency: Histogram;
  private readonly placements: Counter;
  private readonly migrations: Counter;
  private readonly alerts: Counter<'kind'>;
  private readonly rejectedPayloads: Counter<'kind' | 'reason'>;
  private nodeStates: NodeStateSource = () => ({});

  constructor() {
    const registers = [this.registry];
    this.telemetryMessages = new Counter({
      name: 'kelvin_telemetry_messages_total',
      help: 'Telemetry messages received, by whether they passed the wire schema and identity checks',
      labelNames: ['result'],
      registers,
    });
    // Both results exist from the start, so a rate() over "rejected" is 0 rather than absent.
    this.telemetryMessages.inc({ result: 'accepted' }, 0);
    this.telemetryMessages.inc({ result: 'rejected' }, 0);
    this.ingestLag = new Histogram({
      name: 'kelvin_ingest_lag_seconds',
      help: 'Time from the timestamp an agent put in a telemetry sample to the manager processing it',
      buckets: LAG_BUCKETS,
      registers,
    });
    this.schedulingLatency = new Histogram({
      name: 'kelvin_scheduling_latency_seconds',
      help: 'Time one scheduling pass took to place its pending tasks',
      buckets: SCHEDULING_BUCKETS,
      registers,
    });
    this.placements = new Counter({ name: 'kelvin_placements_total', help: 'Tasks placed on a node by the scheduler', registers });
    this.migrations = new Counter({ name: 'kelvin_migrations_total', help: 'Tasks moved off a node by the heat or power policy', registers });
    this.rejectedPayloads = new Counter({
      name: 'kelvin_rejected_payloads_total',
      help: 'Inbound MQTT payloads dropped, by topic kind and reason (topic, size, json, schema, identity, address)',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.alerts = new Counter({ name: 'kelvin_alerts_total', help: 'Alerts raised, by kind', labelNames: ['kind'], registers });
    const readStates = (): Record<string, number> => this.nodeStates();
    new Gauge({
      name: 'kelvin_nodes',
      help: 'Nodes known to the manager, by state',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const [state, count] of Object.entries(readStates())) this.set({ state }, count);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** One telemetry message; `lagMs` (processing time minus the sample's ts) only counts when accepted. */
  telemetry(accepted: boolean, lagMs: number | null = null): void {
    this.telemetryMessages.inc({ result: accepted ? 'accepted' : 'rejected' });
    // A board with a wrong clock gives a negative lag: observe 0 rather than lose the sample.
    if (accepted && lagMs !== null && Number.isFinite(lagMs)) this.ingestLag.observe(Math.max(0, lagMs) / 1000);
  }

  /** One scheduling pass that placed `count` tasks in `latencyMs`. */
  placement(count: number, latencyMs: number): void {
    if (count > 0) this.placements.inc(count);
    this.schedulingLatency.observe(Math.max(0, latencyMs) / 1000);
  }

  migration(): void {
    this.migrations.inc();
  }

  /** One inbound payload dropped at the wire boundary. */
  rejectedPayload(kind: string, reason: RejectionReason): void {
    this.rejectedPayloads.inc({ kind, reason });
  }

  alert(kind: Alert['kind']): void {
    this.alerts.inc({ kind });
  }

  setNodeStateSource(source: NodeStateSource): void {
    this.nodeStates = source;
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
