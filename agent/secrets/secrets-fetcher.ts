/**
 * The agent's side of secret delivery: asks the manager for one value on the node's own
 * `secrets-request` topic and waits for the answer on its own `secrets` topic, sealed to a key pair
 * made at start and held only in memory. Nothing is retained or written by this part.
 */
import { randomBytes } from 'node:crypto';
import type { SecretsRequest, SecretsResponse } from '../../shared/payloads/secrets.js';
import { newBoxKeyPair, open, sealedValueAad, type BoxKeyPair } from '../../shared/secrets/sealed-box.js';
import type { MaterialKind } from '../../shared/secrets/refs.js';
import { RuntimeError } from '../runtime/types.js';

export interface SecretsFetcherOptions {
  nodeId: string;
  /** False when not connected: the request is not sent. */
  publish: (request: SecretsRequest) => boolean;
  /** How long to wait for an answer before the attempt counts as a temporary failure (retried). */
  timeoutMs?: number;
}

interface Waiting {
  request: SecretsRequest;
  resolve: (value: Buffer) => void;
  reject: (err: RuntimeError) => void;
  timer: NodeJS.Timeout;
}

export class SecretsFetcher {
  private readonly keys: BoxKeyPair = newBoxKeyPair();
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly options: SecretsFetcherOptions) {}

  fetch(taskId: string, kind: MaterialKind, name: string): Promise<Buffer> {
    const request: SecretsRequest = { v: 1, requestId: randomBytes(12).toString('hex'), taskId, kind, name, publicKey: this.keys.publicKeyText };
    return new Promise<Buffer>((resolve, reject) => {
      const timeoutMs = this.options.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.waiting.delete(request.requestId);
        reject(new RuntimeError(`task ${taskId}: no answer from the manager for ${kind} ${name} within ${timeoutMs / 1000} s`, 'temporary'));
      }, timeoutMs);
      this.waiting.set(request.requestId, { request, resolve, reject, timer });
      if (!this.options.publish(request)) {
        this.settle(request.requestId);
        reject(new RuntimeError(`task ${taskId}: not connected to the manager to fetch ${kind} ${name}`, 'temporary'));
      }
    });
  }

  /** An answer on the node's `secrets` topic; one for no request of ours is ignored. */
  handle(response: SecretsResponse): void {
    const waiting = this.settle(response.requestId);
    if (!waiting) return;
    const { taskId, kind, name } = waiting.request;
    if (!response.ok) return waiting.reject(new RuntimeError(`task ${taskId}: ${kind} ${name}: ${response.error}`, 'permanent'));
    try {
      waiting.resolve(open(response.sealed, this.keys, sealedValueAad(this.options.nodeId, waiting.request)));
    } catch {
      waiting.reject(new RuntimeError(`task ${taskId}: the answer for ${kind} ${name} failed authentication`, 'temporary'));
    }
  }

  close(): void {
    for (const id of [...this.waiting.keys()]) this.settle(id)?.reject(new RuntimeError('agent stopping', 'temporary'));
  }

  private settle(requestId: string): Waiting | undefined {
    const waiting = this.waiting.get(requestId);
    if (!waiting) return undefined;
    clearTimeout(waiting.timer);
    this.waiting.delete(requestId);
    return waiting;
  }
}
