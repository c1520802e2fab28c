/**
 * Which CA the agent checks the broker's certificate against. `--ca FILE` wins. Otherwise, for an
 * mqtts:// broker and a join token that carries the cluster CA's digest (shared/join-token.ts), the
 * agent pins the CA on first contact, as a Swarm worker does: it reads the chain the broker presents
 * (the one connection made without verification, and nothing is sent on it), takes the certificate
 * whose sha256 matches the token's digest, and keeps it in its state dir; the MQTT connection then
 * verifies the chain and the hostname against it as usual. A broker whose chain has no such
 * certificate is refused. A token without a digest leaves the system's CAs (a public certificate).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import { Backoff } from '../shared/backoff.js';
import { caDigest, joinTokenCaDigest } from '../shared/join-token.js';
import type { Logger } from '../shared/logger.js';

export const PINNED_CA_FILE = 'cluster-ca.pem';
const PROBE_TIMEOUT_MS = 10_000;
/** Waiting for a broker that is not up yet, as reconnects do: 1 s doubling to 30 s, jittered. */
const PROBE_BACKOFF = { initialMs: 1000, maxMs: 30_000, jitter: 0.5 };

/** The broker is not the cluster the join token belongs to: never retried, the agent stops. */
export class CaMismatchError extends Error {
  override readonly name = 'CaMismatchError';
}

export interface BrokerCaOptions {
  broker: string;
  token: string;
  caFile: string | null;
  /** Where the pinned CA is kept; null keeps it in memory only (`kelvin sim`). */
  stateDir: string | null;
  logger: Logger;
}

/** The CA (PEM or DER) for the MQTT connection, or null for plain MQTT or the system CAs. */
export async function brokerCa(options: BrokerCaOptions): Promise<Buffer | null> {
  if (options.caFile) return readFileSync(options.caFile);
  const url = new URL(options.broker);
  const digest = joinTokenCaDigest(options.token);
  if (url.protocol !== 'mqtts:' || digest === null) return null;
  const pinned = options.stateDir ? join(options.stateDir, PINNED_CA_FILE) : null;
  if (pinned && existsSync(pinned)) {
    const pem = readFileSync(pinned);
    // A token for another cluster (the board was moved) pins again.
    if (safeDigest(pem) === digest) return pem;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 8883);
  const ca = await probeUntilAnswered(host, port, digest, options.logger);
  if (pinned) {
    const tmp = `${pinned}.tmp-${process.pid}`;
    writeFileSync(tmp, toPem(ca), { mode: 0o644 });
    renameSync(tmp, pinned);
  }
  options.logger.info({ digest }, 'pinned the cluster CA named by the join token');
  return Buffer.from(toPem(ca));
}

function safeDigest(pem: Buffer): string | null {
  try {
    return caDigest(pem);
  } catch {
    return null;
  }
}

function toPem(der: Buffer): string {
  return new X509Certificate(der).toString();
}

/** Probes until the broker answers (it may not be up yet); a chain without the CA throws CaMismatchError. */
async function probeUntilAnswered(host: string, port: number, digest: string, logger: Logger): Promise<Buffer> {
  const backoff = new Backoff(PROBE_BACKOFF);
  let lastError = '';
  for (;;) {
    try {
      return pickCa(await presentedChain(host, port), digest, `${host}:${port}`);
    } catch (err) {
      if (err instanceof CaMismatchError) throw err;
      const message = (err as Error).message;
      if (message !== lastError) logger.warn({ err: message }, 'cannot reach the broker to pin its CA; retrying');
      lastError = message;
      await new Promise((r) => setTimeout(r, backoff.next()));
    }
  }
}

/** The CA certificate (DER) in `chain` whose digest is the token's. */
export function pickCa(chain: Buffer[], digest: string, where: string): Buffer {
  const match = chain.find((der) => safeDigest(der) === digest);
  if (match && new X509Certificate(match).ca) return match;
  const presented = chain.length === 0 ? 'no certificate' : chain.map((der) => safeDigest(der)?.slice(0, 12) ?? '?').join(', ');
  throw new CaMismatchError(`broker certificate does not match the join token's CA digest (broker ${where} presented ${presented}; token expects ${digest.slice(0, 12)})`);
}

/** Certificates (DER) the server sends in its handshake, leaf first. Nothing is sent on the socket. */
export function presentedChain(host: string, port: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }), timeout: PROBE_TIMEOUT_MS });
    socket.once('secureConnect', () => {
      const chain: Buffer[] = [];
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      // Bounded: a chain is a few certificates; a self-signed root points at itself.
      for (let i = 0; i < 10 && cert?.raw; i++) {
        chain.push(cert.raw);
        if (cert.issuerCertificate === cert) break;
        cert = cert.issuerCertificate;
      }
      socket.destroy();
      resolve(chain);
    });
    socket.once('timeout', () => socket.destroy(new Error(`no TLS handshake within ${PROBE_TIMEOUT_MS} ms`)));
    socket.once('error', (err) => reject(err));
  });
}
