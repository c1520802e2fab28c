/**
 * What every alert sink looks like to the bus: a synchronous hand-off plus counters the metrics
 * endpoint can read. A sink never throws back into the bus and never makes the caller wait.
 */
import type { Alert } from '../../shared/payloads/alert.js';

/** Running totals since the sink was made; one set per sink (webhook totals span all its URLs). */
export interface DeliveryCounters {
  /** Alerts the receiver accepted (HTTP 2xx, MQTT PUBACK, a written log line). */
  delivered: number;
  /** Extra attempts made after a temporary failure. */
  retried: number;
  /** Alerts thrown away undelivered because a queue was full or the sink was closing. */
  dropped: number;
  /** Alerts given up on: refused by the receiver or out of attempts. */
  failed: number;
}

export function zeroCounters(): DeliveryCounters {
  return { delivered: 0, retried: 0, dropped: 0, failed: 0 };
}

export interface AlertSink {
  /** Short stable name, used as the metrics label and in logs ('webhook', 'mqtt', 'log'). */
  readonly name: string;
  readonly counters: Readonly<DeliveryCounters>;
  /** Takes the alert and its JSON encoding; returns at once, delivery happens in the background. */
  deliver(alert: Alert, json: string): void;
  /** Finishes in-flight work, giving up after `deadlineMs`. */
  close?(deadlineMs: number): Promise<void>;
}
