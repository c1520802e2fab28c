/**
 * The cluster's TLS material, under `<dataDir>/tls/`: the CA (`ca.pem`, and `ca.key` mode 600),
 * made on first start and kept, and the manager's server certificate (`server.pem`, the leaf
 * followed by the CA so a board can pin the CA from the handshake; `server.key` mode 600). The
 * server certificate is issued again on every start, so a new address or `--tls-san` takes effect
 * with a restart; its key is kept.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caDigest } from '../../shared/join-token.js';
import { issueCaCertificate, issueServerCertificate, newPrivateKeyPem } from './certificates.js';

const CA_VALID_DAYS = 3650;
const SERVER_VALID_DAYS = 825;

export interface ClusterCa {
  certPath: string;
  certPem: string;
  keyPem: string;
  /** What join tokens carry (shared/join-token.ts). */
  digest: string;
}

export interface ServerTls {
  /** Leaf + CA, PEM. */
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  /** The CA that clients verify the chain against. */
  ca: ClusterCa;
}

export const tlsDir = (dataDir: string): string => join(dataDir, 'tls');

function writeFile(path: string, content: string, mode: number): void {
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
}

/** The cluster CA in the data dir, made on first call. */
export function ensureClusterCa(dataDir: string, now = Date.now()): ClusterCa {
  const dir = tlsDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'ca.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    const keyPem = newPrivateKeyPem();
    writeFile(keyPath, keyPem, 0o600);
    writeFile(certPath, issueCaCertificate(keyPem, CA_VALID_DAYS, now), 0o644);
  }
  chmodSync(keyPath, 0o600);
  const certPem = readFileSync(certPath, 'utf8');
  return { certPath, certPem, keyPem: readFileSync(keyPath, 'utf8'), digest: caDigest(certPem) };
}

/** Issues (again) the server certificate for `sans`, signed by the cluster CA. */
export function issueServerTls(dataDir: string, sans: readonly string[], now = Date.now()): ServerTls {
  const ca = ensureClusterCa(dataDir, now);
  const dir = tlsDir(dataDir);
  const keyPath = join(dir, 'server.key');
  const certPath = join(dir, 'server.pem');
  if (!existsSync(keyPath)) writeFile(keyPath, newPrivateKeyPem(), 0o600);
  chmodSync(keyPath, 0o600);
  const key = readFileSync(keyPath, 'utf8');
  const cert = `${issueServerCertificate(key, ca, sans, SERVER_VALID_DAYS, now)}${ca.certPem}`;
  writeFile(certPath, cert, 0o644);
  return { certPath, keyPath, cert, key, ca };
}
