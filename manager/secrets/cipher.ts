/**
 * Secrets at rest: AES-256-GCM with a fresh 96-bit nonce per value. The additional data binds each
 * ciphertext to its row (kind, id, name), so a value copied onto another row fails to open rather
 * than being handed out under the wrong name. Layout: version byte, nonce, tag, ciphertext.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class SecretCipher {
  constructor(private readonly key: Buffer) {
    if (key.byteLength !== KEY_BYTES) throw new Error(`secrets key must be ${KEY_BYTES} bytes, got ${key.byteLength}`);
  }

  seal(plaintext: Buffer, aad: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
  }

  /** Throws when the value was altered, belongs to another row, or was sealed with another key. */
  open(sealed: Buffer, aad: string): Buffer {
    if (sealed.byteLength < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new Error('sealed value is malformed');
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
    const tag = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonce);
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new Error('sealed value failed authentication (altered, moved, or sealed with another key)');
    }
  }

  /** A public fingerprint of the key (HMAC of a constant), kept in the store to recognise a wrong key at start. */
  keyCheck(): string {
    return createHmac('sha256', this.key).update('kelvin secrets key check v1').digest('base64url');
  }
}
