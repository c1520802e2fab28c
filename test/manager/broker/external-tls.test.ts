/** The manager's `--broker mqtts://...` path: with `--broker-ca` it connects to a Mosquitto whose certificate a private CA signed. */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManager } from '../../../manager/manager.js';
import { silentLogger } from '../../../shared/logger.js';
import { freePort, startMosquittoWithConfig, type RunningBroker } from '../../helpers/mosquitto.js';
import { hasMosquitto } from '../../helpers/requirements.js';
import { hasOpenssl, makeCa, makeServerCert, tlsListenerConfig, type TlsFiles } from '../../helpers/tls-certs.js';

describe.skipIf(!hasMosquitto || !hasOpenssl)('manager with an external mqtts:// broker', () => {
  let dir: string;
  let tls: TlsFiles;
  let broker: RunningBroker;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kelvin-mgr-tls-'));
    chmodSync(dir, 0o755);
    makeCa(dir, 'ca');
    tls = makeServerCert(dir, 'ca');
    const port = await freePort();
    broker = await startMosquittoWithConfig(tlsListenerConfig(port, tls), port, 'mqtts');
  }, 30_000);

  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (name: string, brokerUrl: string, brokerCaFile: string | null) =>
    startManager({ dataDir: join(dir, name), brokerUrl, brokerCaFile }, { logger: silentLogger() });

  it('connects with --broker-ca', async () => {
    const manager = await start('good', broker.url, tls.ca);
    try {
      expect(manager.mqtt.connected).toBe(true);
      expect(manager.mqttUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:/);
    } finally {
      await manager.stop();
    }
  });

  it('refuses to start without the CA, naming the broker and the certificate problem', async () => {
    await expect(start('no-ca', broker.url, null)).rejects.toThrow(/cannot connect to the MQTT broker at mqtts:\/\/127\.0\.0\.1:\d+\/?: self[- ]signed certificate/);
  });

  it('refuses --broker-ca with a plain mqtt:// broker', async () => {
    await expect(start('plain', broker.url.replace('mqtts:', 'mqtt:'), tls.ca)).rejects.toThrow(/--broker-ca .*only applies to an mqtts:\/\/ or wss:\/\/ broker/);
  });
});
