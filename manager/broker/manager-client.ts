/**
 * The manager's own MQTT client. Over TLS it reads through BatchedTlsStream (one chunk per event-loop
 * turn instead of one per TLS record); over plain TCP MQTT.js's own transport already reads in
 * large chunks.
 */
import { isIP } from 'node:net';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import { connectBatchedTls } from './batched-tls-stream.js';

export type ManagerClientOptions = Omit<IClientOptions, 'ca'> & { ca?: Buffer | string };

export function connectManagerClient(url: string, options: ManagerClientOptions): Promise<MqttClient> {
  const u = new URL(url);
  if (u.protocol !== 'mqtts:') return mqtt.connectAsync(url, options);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port === '' ? 8883 : Number(u.port);
  const client = new MqttClient(
    () => connectBatchedTls({ host, port, ...(options.ca ? { ca: options.ca } : {}), ...(isIP(host) === 0 ? { servername: host } : {}) }),
    { ...options, protocol: 'mqtts', host, port },
  );
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      client.off('connect', onConnect);
      client.off('error', onError);
    };
    const onConnect = (): void => {
      settle();
      resolve(client);
    };
    const onError = (err: Error): void => {
      settle();
      client.end(true);
      reject(err);
    };
    client.on('connect', onConnect);
    client.on('error', onError);
  });
}
