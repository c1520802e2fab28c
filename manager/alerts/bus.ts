/**
 * The one place alerts enter: `emit()` checks the alert against the wire schema, records it in
 * history, tells live subscribers (the API's stream), and hands it to every sink. It returns at
 * once; a failing part is logged and never stops the others or the caller (the control loop).
 */
import { silentLogger, type Logger } from '../../shared/logger.js';
import { alert as alertSchema, type Alert } from '../../shared/payloads/alert.js';
import type { AlertHistory, AlertQuery } from './history.js';
import type { AlertSink, DeliveryCounters } from './sink.js';
import { firstIssue } from '../../shared/zod-issue.js';

export type AlertListener = (alert: Alert) => void;

export type EmitResult = { ok: true } | { ok: false; error: string };

export interface AlertBusOptions {
  /** Omit to keep no history (tests, or a manager without a database). */
  history?: AlertHistory;
  sinks?: readonly AlertSink[];
  logger?: Logger;
}

export class AlertBus {
  private readonly listeners = new Set<AlertListener>();
  private readonly sinks: readonly AlertSink[];
  private readonly logger: Logger;

  constructor(private readonly options: AlertBusOptions = {}) {
    this.sinks = options.sinks ?? [];
    this.logger = options.logger ?? silentLogger();
  }

  emit(alert: Alert): EmitResult {
    const checked = validate(alert);
    if (!checked.ok) {
      this.logger.error({ alertId: (alert as { id?: unknown }).id }, checked.error);
      return checked;
    }
    const { alert: clean, json } = checked;
    this.guard('history', () => this.options.history?.record(clean));
    for (const listener of this.listeners) this.guard('subscriber', () => listener(clean));
    for (const sink of this.sinks) this.guard(`${sink.name} sink`, () => sink.deliver(clean, json));
    return { ok: true };
  }

  /** Calls `listener` with every alert emitted from now on; returns the unsubscribe function. */
  subscribe(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Past alerts from history, newest last (empty when the bus keeps no history). */
  list(query: AlertQuery = {}): Alert[] {
    return this.options.history?.list(query) ?? [];
  }

  /** Delivery totals per sink name, for the metrics endpoint. */
  counters(): Record<string, Readonly<DeliveryCounters>> {
    return Object.fromEntries(this.sinks.map((s) => [s.name, { ...s.counters }]));
  }

  /** Lets every sink finish (webhook queues drain, PUBACKs arrive) for at most `deadlineMs`. */
  async close(deadlineMs = 5000): Promise<void> {
    this.listeners.clear();
    await Promise.all(this.sinks.map((s) => s.close?.(deadlineMs)));
  }

  private guard(part: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err }, `alert ${part} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** Schema check (unknown fields stripped) plus JSON encoding (details may hold a value JSON cannot carry). */
function validate(alert: Alert): { ok: true; alert: Alert; json: string } | { ok: false; error: string } {
  const parsed = alertSchema.safeParse(alert);
  if (!parsed.success) {
    const { where, message } = firstIssue(parsed.error);
    return { ok: false, error: `alert rejected: invalid at ${where}: ${message}` };
  }
  try {
    return { ok: true, alert: parsed.data, json: JSON.stringify(parsed.data) };
  } catch (err) {
    return { ok: false, error: `alert rejected: details cannot be encoded as JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}
