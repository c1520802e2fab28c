/**
 * The cluster CA and server certificate as OpenSSL sees them (node:crypto's X509Certificate and a
 * real node:tls handshake), and the join token that names the CA.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { newJoinToken } from '../../../manager/broker/secrets.js';
import { ensureClusterCa, issueServerTls } from '../../../manager/tls/cluster-tls.js';
import { isValidSan, managerSans } from '../../../manager/tls/sans.js';
import { caDigest, joinTokenCaDigest } from '../../../shared/join-token.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const tempDir = (): string => (dir = mkdtempSync(join(tmpdir(), 'kelvin-tls-')));

describe('cluster CA', () => {
  it('is made once, kept across calls, with its key private', () => {
    const data = tempDir();
    const first = ensureClusterCa(data);
    const again = ensureClusterCa(data);
    expect(again.certPem).toBe(first.certPem);
    expect(statSync(join(data, 'tls', 'ca.key')).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(first.certPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=Kelvin cluster CA');
    expect(ca.checkIssued(ca)).toBe(true);
    expect(first.digest).toBe(caDigest(readFileSync(first.certPath)));
    expect(first.digest).toMatch(/^[a-z2-7]{52}$/);
  });

  it('signs a server certificate for the given names that a TLS client verifies, hostname included', async () => {
    const data = tempDir();
    const server = issueServerTls(data, ['kelvin.lan', '127.0.0.1', '::1']);
    const leaf = new X509Certificate(server.cert);
    expect(leaf.subjectAltName).toBe('DNS:kelvin.lan, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(new X509Certificate(server.ca.certPem).publicKey)).toBe(true);
    expect(statSync(server.keyPath).mode & 0o777).toBe(0o600);

    const srv = createServer({ cert: server.cert, key: server.key }, (s) => s.end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    const handshake = (options: { servername?: string }): Promise<string> =>
      new Promise((resolve) => {
        const s: TLSSocket = connect({ host: '127.0.0.1', port, ca: server.ca.certPem, ...options }, () => (s.destroy(), resolve('ok')));
        s.once('error', (err) => resolve(err.message));
      });
    try {
      expect(await handshake({})).toBe('ok');
      expect(await handshake({ servername: 'kelvin.lan' })).toBe('ok');
      expect(await handshake({ servername: 'elsewhere.lan' })).toMatch(/Hostname\/IP does not match/);
    } finally {
      srv.close();
    }
  });
});

describe('server certificate across restarts', () => {
  it('is kept while it names the same hosts, and issued again when they change', () => {
    const data = tempDir();
    const first = issueServerTls(data, ['localhost', '127.0.0.1', '::1']);
    expect(issueServerTls(data, ['::1', 'LOCALHOST', '127.0.0.1']).cert).toBe(first.cert);
    const widened = issueServerTls(data, ['localhost', '127.0.0.1', '::1', 'manager.lan']);
    expect(widened.cert).not.toBe(first.cert);
    expect(new X509Certificate(widened.cert).subjectAltName).toContain('DNS:manager.lan');
    expect(readFileSync(widened.certPath, 'utf8')).toBe(widened.cert);
  });
});

describe('join token', () => {
  it('carries the CA digest, which parses back; a pre-TLS token has none', () => {
    const digest = 'a'.repeat(52);
    const token = newJoinToken(digest);
    expect(token).toMatch(/^KLVN-1-a{52}-[a-z2-7]{32}$/);
    expect(joinTokenCaDigest(token)).toBe(digest);
    expect(joinTokenCaDigest('KLV-1-ABCDEF')).toBeNull();
    expect(joinTokenCaDigest(`KLVN-1-${'a'.repeat(51)}-x`)).toBeNull();
  });
});

describe('server certificate names', () => {
  it('takes IP addresses and DNS names, not other text', () => {
    expect(['10.0.0.5', 'fd00::1', 'manager.lan', 'pi-1']).toEqual(['10.0.0.5', 'fd00::1', 'manager.lan', 'pi-1'].filter(isValidSan));
    expect(['', 'a b', 'x_y', '-bad', 'http://x'].filter(isValidSan)).toEqual([]);
  });

  it('always names loopback and localhost, adds the extras, never the unspecified address', () => {
    const sans = managerSans(['manager.lan', '0.0.0.0']);
    expect(sans).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1', 'manager.lan']));
    expect(sans).not.toContain('0.0.0.0');
  });
});
