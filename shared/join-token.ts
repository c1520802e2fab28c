/**
 * Join tokens: `KLVN-1-<ca-digest>-<secret>`, as Swarm's `SWMTKN-1-<digest>-<secret>`. The digest
 * is the sha256 of the cluster CA certificate (DER) in lower-case base32, so a board holding only
 * the token can tell the real broker from an impostor on first contact and pin its CA. Tokens made
 * before TLS (`KLV-1-<secret>`) carry no digest and are still accepted where a CA comes otherwise.
 */
import { createHash, X509Certificate } from 'node:crypto';

export const JOIN_TOKEN_PREFIX = 'KLVN-1';
const DIGEST_CHARS = 52;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const TOKEN_WITH_DIGEST = new RegExp(`^${JOIN_TOKEN_PREFIX}-([a-z2-7]{${DIGEST_CHARS}})-[a-z2-7]+$`);

/** Lower-case base32 without padding: safe in MQTT passwords, URLs and file names. */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The digest a join token carries for a CA certificate given as PEM or DER. */
export function caDigest(cert: string | Buffer): string {
  return base32(createHash('sha256').update(new X509Certificate(cert).raw).digest());
}

export function formatJoinToken(digest: string, secret: string): string {
  return `${JOIN_TOKEN_PREFIX}-${digest}-${secret}`;
}

/** The CA digest in a join token, or null for a token without one (a pre-TLS `KLV-1-` token). */
export function joinTokenCaDigest(token: string): string | null {
  return TOKEN_WITH_DIGEST.exec(token)?.[1] ?? null;
}
