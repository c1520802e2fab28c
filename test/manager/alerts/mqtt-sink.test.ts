import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttAlertSink } from '../../../manager/alerts/mqtt-sink.js';
import type { Alert } from '../../../shared/payloads/alert.js';
import { ALERTS_TOPIC } from '../../../shared/topics.js';
import { decodeMessage } from '../../../shared/wire.js';
import { startMosquitto, type RunningBroker } from '../../helpers/mosquitto.js';
import { hasMosquitto } from '../../helpers/requirements.js';
import { captureLogger, makeAlert, until } from './fixtures.js';

describe.skipIf(!hasMosquitto)('MqttAlertSink with a real broker', () => {
  let broker: RunningBroker;
  let publisher: MqttClient;
  let subscriber: MqttClient;

  beforeAll(async () => {
    broker = await startMosquitto();
    publisher = await mqtt.connectAsync(broker.url, { clientId: 'alerts-pub', reconnectPeriod: 0 });
    subscriber = await mqtt.connectAsync(broker.url, { clientId: 'alerts-sub', reconnectPeriod: 0 });
    await subscriber.subscribeAsync(ALERTS_TOPIC, { qos: 1 });
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await subscriber?.endAsync();
    await broker?.stop();
  });

  it('publishes each alert on the alerts topic, QoS 1, not retained, decodable by the wire contract', async () => {
    const received: { topic: string; payload: Buffer; qos: number; retain: boolean }[] = [];
    subscriber.on('message', (topic, payload, packet) => received.push({ topic, payload, qos: packet.qos, retain: packet.retain }));
    const sink = new MqttAlertSink((t, p, o) => publisher.publishAsync(t, p, o));
    const alert = makeAlert(1, { kind: 'thermal.failover', details: { from: 'pi-1', to: 'pi-2', tasks: ['web.1'] } });

    sink.deliver(alert, JSON.stringify(alert));
    await until(() => received.length === 1 && sink.counters.delivered === 1);
    await sink.close(1000);

    const [msg] = received;
    expect(msg?.topic).toBe(ALERTS_TOPIC);
    expect(msg?.qos).toBe(1);
    expect(msg?.retain).toBe(false);
    const decoded = decodeMessage(msg!.topic, msg!.payload);
    expect(decoded).toEqual({ ok: true, message: { scope: 'alerts', payload: alert } });
    // Not retained: a client subscribing afterwards does not get it replayed.
    const late = await mqtt.connectAsync(broker.url, { clientId: 'alerts-late', reconnectPeriod: 0 });
    const replayed: Alert[] = [];
    late.on('message', (_t, p) => replayed.push(JSON.parse(p.toString()) as Alert));
    await late.subscribeAsync(ALERTS_TOPIC, { qos: 1 });
    await new Promise((r) => setTimeout(r, 100));
    await late.endAsync();
    expect(replayed).toEqual([]);
  });

  it('counts and logs a publish that fails, without throwing', async () => {
    const offline = await mqtt.connectAsync(broker.url, { clientId: 'alerts-closed', reconnectPeriod: 0 });
    await offline.endAsync();
    const { logger, lines } = captureLogger();
    const sink = new MqttAlertSink((t, p, o) => offline.publishAsync(t, p, o), logger);
    const alert = makeAlert(2);

    expect(() => sink.deliver(alert, JSON.stringify(alert))).not.toThrow();
    await until(() => sink.counters.failed === 1);
    expect(sink.counters.delivered).toBe(0);
    expect(lines.some((l) => l.msg.startsWith(`publishing alert alert-2 on ${ALERTS_TOPIC} failed`))).toBe(true);
  });
});
