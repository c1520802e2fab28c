/**
 * Publishes every alert on the `alerts` topic (QoS 1, not retained: an alert is an event, not
 * state, and a late subscriber reads history through the API instead).
 * Takes a bare publish function so it works with mqtt.js (`client.publishAsync`) or any other client.
 */
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { Alert } from '../../shared/payloads/alert.js';
import { ALERTS_TOPIC } from '../../shared/topics.js';
import { zeroCounters, type AlertSink, type DeliveryCounters } from './sink.js';

export interface AlertPublishOptions {
  qos: 1;
  retain: false;
}

/** May return a promise (settled on PUBACK); a rejection or a throw counts as a failed delivery. */
export type AlertPublish = (topic: string, payload: Buffer, opts: AlertPublishOptions) => Promise<unknown> | void;

export class MqttAlertSink implements AlertSink {
  readonly name = 'mqtt';
  readonly counters: DeliveryCounters = zeroCounters();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly publish: AlertPublish,
    private readonly logger: Logger = silentLogger(),
  ) {}

  deliver(alert: Alert, json: string): void {
    let sent: Promise<unknown> | void;
    try {
      sent = this.publish(ALERTS_TOPIC, Buffer.from(json), { qos: 1, retain: false });
    } catch (err) {
      this.fail(alert, err);
      return;
    }
    const settled = Promise.resolve(sent).then(
      () => {
        this.counters.delivered++;
      },
      (err: unknown) => this.fail(alert, err),
    );
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  /** Waits for outstanding PUBACKs, at most `deadlineMs`. */
  async close(deadlineMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([Promise.all(this.inFlight), deadline]);
    clearTimeout(timer);
  }

  private fail(alert: Alert, err: unknown): void {
    this.counters.failed++;
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.warn({ alertId: alert.id, kind: alert.kind }, `publishing alert ${alert.id} on ${ALERTS_TOPIC} failed: ${reason}`);
  }
}
