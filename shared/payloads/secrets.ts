import { z } from 'zod';
import { wireVersion } from './common.js';

const b64 = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');

/**
 * Node -> manager, never retained: the value of one secret or config a task of this node uses.
 * `publicKey` is the agent's X25519 key (SPKI DER, base64) the answer is sealed to.
 */
export const secretsRequest = z.object({
  v: wireVersion,
  requestId: z.string().min(1).max(64),
  taskId: z.string().min(1).max(64),
  kind: z.enum(['secret', 'config']),
  name: z.string().min(1).max(64),
  publicKey: b64(200),
});
export type SecretsRequest = z.infer<typeof secretsRequest>;

/** A value sealed to the requesting agent (shared/secrets/sealed-box.ts). */
export const sealedValue = z.object({
  /** The manager's one-time X25519 key (SPKI DER, base64). */
  publicKey: b64(200),
  nonce: b64(24),
  tag: b64(32),
  /** Ciphertext; 500 KiB of value is about 683 KB of base64, under the 1 MiB a manager message may have. */
  data: b64(800 * 1024),
});
export type SealedValue = z.infer<typeof sealedValue>;

/** Manager -> node, on the node's own `secrets` topic, never retained: the answer to one request. */
export const secretsResponse = z.discriminatedUnion('ok', [
  z.object({ v: wireVersion, requestId: z.string().min(1).max(64), ok: z.literal(true), sealed: sealedValue }),
  z.object({ v: wireVersion, requestId: z.string().min(1).max(64), ok: z.literal(false), error: z.string().max(1000) }),
]);
export type SecretsResponse = z.infer<typeof secretsResponse>;
