/**
 * Random tokens and the hashes the manager keeps instead of secrets. Node secrets are random
 * 32-byte values, so a plain sha256 is enough (no dictionary to defend against); comparisons are
 * constant-time.
 */
import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { base32, formatJoinToken } from '../../shared/join-token.js';

/** Lower-case base32 of `bytes` random bytes: safe in MQTT passwords, URLs and file names. */
export function randomToken(bytes = 32): string {
  return base32(randomBytes(bytes));
}

/** Worker join token for the cluster CA with this digest (shared/join-token.ts). */
export function newJoinToken(caDigest: string): string {
  return formatJoinToken(caDigest, randomToken(20));
}

export function hashSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex')}`;
}

export function verifySecret(secret: string, hash: string): boolean {
  return safeEqual(hashSecret(secret), hash);
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A password hashed in Mosquitto 2's `$7$` format (PBKDF2-SHA512, 101 iterations), as mosquitto_passwd writes it. */
export function mosquittoPasswordHash(password: string, salt: Buffer = randomBytes(12)): string {
  const iterations = 101;
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * What the store records for a node that joined through an external broker: the broker checked
 * its password, so the manager never saw its secret. The hash matches no secret, so such a node
 * cannot log in to an embedded broker until it is removed (`kelvin node rm`) and joins again.
 */
export const EXTERNAL_BROKER_CREDENTIAL = { secretHash: 'external-broker', mosquittoHash: null } as const;
