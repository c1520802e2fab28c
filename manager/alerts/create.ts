/** Builds the manager's alert bus from its flags: history, log, MQTT and webhook sinks. */
import type { Database } from 'better-sqlite3';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { AlertBus } from './bus.js';
import { AlertHistory } from './history.js';
import { LogAlertSink } from './log-sink.js';
import { MqttAlertSink, type AlertPublish } from './mqtt-sink.js';
import type { AlertSink } from './sink.js';
import { WebhookSink, type WebhookSinkOptions } from './webhook-sink.js';

export interface AlertingOptions {
  /** The manager's database; the `alerts` table is created in it if missing. */
  db?: Database;
  /** Runs each history write (the store's transaction: a full disk is then retried, not lost). */
  write?: (fn: () => void) => void;
  /** Publishes on the manager's MQTT connection, e.g. `(t, p, o) => client.publishAsync(t, p, o)`. */
  publish?: AlertPublish;
  /** The `--alert-webhook` URLs (may be empty); invalid ones throw here, naming which. */
  webhookUrls?: readonly string[];
  /** Tuning for the webhook queues (timeouts, attempts, backoff, queue bound). */
  webhook?: Omit<WebhookSinkOptions, 'urls' | 'logger'>;
  logger?: Logger;
}

export function createAlertBus(options: AlertingOptions): AlertBus {
  const logger = options.logger ?? silentLogger();
  const sinks: AlertSink[] = [new LogAlertSink(logger)];
  if (options.publish) sinks.push(new MqttAlertSink(options.publish, logger));
  if (options.webhookUrls && options.webhookUrls.length > 0) {
    sinks.push(new WebhookSink({ ...options.webhook, urls: options.webhookUrls, logger }));
  }
  const history = options.db ? new AlertHistory(options.db, { write: options.write }) : undefined;
  return new AlertBus({ history, sinks, logger });
}
