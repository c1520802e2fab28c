/** Writes every alert to the manager's log, at a level that follows its severity. */
import type { Logger } from '../../shared/logger.js';
import type { Alert } from '../../shared/payloads/alert.js';
import { zeroCounters, type AlertSink, type DeliveryCounters } from './sink.js';

const LEVEL = { info: 'info', warning: 'warn', critical: 'error' } as const;

export class LogAlertSink implements AlertSink {
  readonly name = 'log';
  readonly counters: DeliveryCounters = zeroCounters();

  constructor(private readonly logger: Logger) {}

  deliver(alert: Alert): void {
    const { id, kind, severity, nodeId, at, details } = alert;
    this.logger[LEVEL[severity]]({ alert: { id, kind, severity, nodeId, at, details } }, `alert ${kind}: ${alert.message}`);
    this.counters.delivered++;
  }
}
