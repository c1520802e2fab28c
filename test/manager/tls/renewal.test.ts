/**
 * The server certificate is renewed while the manager runs: past 30 days before its end a new one is
 * issued by the same CA and the broker's new handshakes get it, while open connections stay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../../manager/broker/embedded.js';
import { PendingJoins } from '../../../manager/broker/pending-joins.js';
import { ensureClusterIdentity } from '../../../manager/store/cluster-identity.js';
import { Store } from '../../../manager/store/store.js';
import { issueServerTls, type ServerTls } from '../../../manager/tls/cluster-tls.js';
import { ServerTlsRenewal } from '../../../manager/tls/renewal.js';
import { silentLogger } from '../../../shared/logger.js';

const DAY = 86_400_000;
let dir: string;
let store: Store;
let broker: EmbeddedBroker;
let initial: ServerTls;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-renewal-'));
  store = Store.open(join(dir, 'kelvin.db'));
  ensureClusterIdentity(store, dir, Date.now());
  // Issued 800 days ago: the 825-day certificate has under 30 days left.
  initial = issueServerTls(dir, ['127.0.0.1'], Date.now() - 800 * DAY);
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, store, managerSecret: 's', pending: new PendingJoins(), logger: silentLogger(), tls: { cert: initial.cert, key: initial.key } });
});

afterAll(async () => {
  await broker.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A verified TLS connection to the broker, as a board makes it (pinning the cluster CA). */
function handshake(): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: broker.port, ca: initial.ca.certPem, servername: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('server certificate renewal while running', () => {
  it('serves a new certificate from the same CA to new connections once the old one nears its end', async () => {
    const before = await handshake();
    let after: TLSSocket | null = null;
    try {
      const oldEnd = Date.parse(before.getPeerCertificate().valid_to);
      const renewal = new ServerTlsRenewal({ dataDir: dir, sans: ['127.0.0.1'], initial, apply: (tls) => broker.setTls(tls), logger: silentLogger() });
      expect(renewal.check()).toBe(true);
      expect(renewal.check()).toBe(false);

      after = await handshake();
      expect(after.authorized).toBe(true);
      expect(Date.parse(after.getPeerCertificate().valid_to)).toBeGreaterThan(oldEnd + 700 * DAY);
      expect(after.getPeerCertificate().serialNumber).not.toBe(before.getPeerCertificate().serialNumber);
      // The connection made before the renewal is left alone.
      expect(before.destroyed).toBe(false);
    } finally {
      before.destroy();
      after?.destroy();
    }
  });

  it('renews nothing while the certificate has time left', () => {
    const current = issueServerTls(dir, ['127.0.0.1']);
    const renewal = new ServerTlsRenewal({ dataDir: dir, sans: ['127.0.0.1'], initial: current, apply: () => expect.fail('renewed too early'), logger: silentLogger() });
    expect(renewal.check()).toBe(false);
  });
});
