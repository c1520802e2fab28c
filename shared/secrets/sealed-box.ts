/**
 * Sealing a secret for one agent in flight, on top of TLS and the broker's per-node ACL (defence in
 * depth: a broker that logs payloads, or a misconfigured ACL, still shows nothing readable). The
 * agent makes an X25519 key pair at start and sends the public half with each request; the manager
 * seals the answer with a one-time key pair of its own: ECDH, HKDF-SHA256, AES-256-GCM. The
 * additional data names the node, task, kind, name and request, so an answer cannot be replayed
 * for another one.
 */
import { createCipheriv, createDecipheriv, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import type { SealedValue } from '../payloads/secrets.js';

export interface BoxKeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** SPKI DER, base64: what travels. */
  publicKeyText: string;
}

export function newBoxKeyPair(): BoxKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey, privateKey, publicKeyText: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

function boxKey(privateKey: KeyObject, peerPublic: KeyObject, aad: string): Buffer {
  const shared = diffieHellman({ privateKey, publicKey: peerPublic });
  return Buffer.from(hkdfSync('sha256', shared, Buffer.alloc(0), `kelvin sealed box v1\n${aad}`, 32));
}

/** Throws on a public key that is not X25519. */
function peerKey(text: string): KeyObject {
  const key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'x25519') throw new Error('public key is not X25519');
  return key;
}

export function seal(plaintext: Buffer, recipientPublicKey: string, aad: string): SealedValue {
  const recipient = peerKey(recipientPublicKey);
  const eph = newBoxKeyPair();
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', boxKey(eph.privateKey, recipient, aad), nonce);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { publicKey: eph.publicKeyText, nonce: nonce.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Throws when the value was not sealed to this key pair for exactly this `aad`, or was altered. */
export function open(sealed: SealedValue, own: BoxKeyPair, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', boxKey(own.privateKey, peerKey(sealed.publicKey), aad), Buffer.from(sealed.nonce, 'base64'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
}

/** What both ends bind a sealed answer to. */
export function sealedValueAad(nodeId: string, request: { requestId: string; taskId: string; kind: string; name: string }): string {
  return [nodeId, request.taskId, request.kind, request.name, request.requestId].join('\n');
}
