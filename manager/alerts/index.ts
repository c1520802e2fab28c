/**
 * Alert delivery and history (issue 6).
 *
 * Wiring in the manager:
 *
 *   const alerts = createAlertBus({
 *     db,                                              // better-sqlite3 handle; owns table `alerts`
 *     publish: (t, p, o) => client.publishAsync(t, p, o),
 *     webhookUrls: options.alertWebhooks,              // --alert-webhook URL (repeatable)
 *     logger,
 *   });
 *   alerts.emit(alert);                 // sync; never throws, never waits on the network
 *   alerts.list({ since, nodeId, kind, limit }); // history for `kelvin alerts`, newest last
 *   const stop = alerts.subscribe(fn);  // live stream for `kelvin alerts --follow`
 *   alerts.counters();                  // { webhook: { delivered, retried, dropped, failed }, mqtt: ..., log: ... }
 *   await alerts.close(5000);           // on shutdown: drain webhook queues, wait for PUBACKs
 *
 * `--follow`: call list() then subscribe() in the same tick; emit() is synchronous, so no alert falls between.
 */
export { AlertBus, type AlertBusOptions, type AlertListener, type EmitResult } from './bus.js';
export { createAlertBus, type AlertingOptions } from './create.js';
export { AlertHistory, type AlertHistoryOptions, type AlertKind, type AlertQuery } from './history.js';
export { LogAlertSink } from './log-sink.js';
export { MqttAlertSink, type AlertPublish, type AlertPublishOptions } from './mqtt-sink.js';
export { type AlertSink, type DeliveryCounters } from './sink.js';
export { WebhookSink, type WebhookSinkOptions } from './webhook-sink.js';
export { type BackoffPolicy } from '../../shared/backoff.js';
