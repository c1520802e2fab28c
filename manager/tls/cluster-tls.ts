/**
 * The cluster's TLS material, under `<dataDir>/tls/`: the CA (`ca.pem`, and `ca.key` mode 600),
 * made on first start and kept, and the manager's server certificate (`server.pem`, the leaf
 * followed by the CA so a board can pin the CA from the handshake; `server.key` mode 600), issued
 * again when the names it must carry change (a new address, `--tls-san`) or it nears its end.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
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

/**
 * The server certificate for `sans`, signed by the cluster CA: the one in the data dir while it
 * names the same hosts, chains to the CA and has 30 days left, else a new one. A restart thus
 * writes nothing (a manager can start on a full disk); a new one that cannot be written is still
 * served.
 */
export function issueServerTls(dataDir: string, sans: readonly string[], now = Date.now()): ServerTls {
  const ca = ensureClusterCa(dataDir, now);
  const dir = tlsDir(dataDir);
  const keyPath = join(dir, 'server.key');
  const certPath = join(dir, 'server.pem');
  if (!existsSync(keyPath)) writeFile(keyPath, newPrivateKeyPem(), 0o600);
  chmodSync(keyPath, 0o600);
  const key = readFileSync(keyPath, 'utf8');
  const kept = existsSync(certPath) ? readFileSync(certPath, 'utf8') : null;
  if (kept !== null && stillServes(kept, ca, sans, now)) return { certPath, keyPath, cert: kept, key, ca };
  const cert = `${issueServerCertificate(key, ca, sans, SERVER_VALID_DAYS, now)}${ca.certPem}`;
  try {
    writeFile(certPath, cert, 0o644);
  } catch {
    // Only a copy for an external broker's config; the manager serves the one in memory.
  }
  return { certPath, keyPath, cert, key, ca };
}

const RENEW_BEFORE_MS = 30 * 86_400_000;

/** The canonical form of a SAN: IPv6 compressed, names lower-case. */
const canonicalSan = (san: string): string => (isIP(san) === 6 ? new URL(`http://[${san}]`).hostname : san.toLowerCase());

function stillServes(chainPem: string, ca: ClusterCa, sans: readonly string[], now: number): boolean {
  try {
    const leaf = new X509Certificate(chainPem);
    if (!chainPem.endsWith(ca.certPem) || !leaf.checkIssued(new X509Certificate(ca.certPem))) return false;
    if (!leaf.verify(new X509Certificate(ca.certPem).publicKey) || Date.parse(leaf.validTo) - now < RENEW_BEFORE_MS) return false;
    const named = (leaf.subjectAltName ?? '').split(', ').map((entry) => canonicalSan(entry.replace(/^(DNS|IP Address):/, '')));
    const wanted = sans.map(canonicalSan);
    return named.length === wanted.length && wanted.every((san) => named.includes(san));
  } catch {
    return false;
  }
}
