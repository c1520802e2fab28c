/**
 * Answers a board's `secrets-request`: the value of one secret or config, sealed to the agent's
 * key, on the board's own `secrets` topic, never retained (a broker keeps retained messages on
 * disk). Only a board that runs a task using it gets an answer: the task must be assigned to the
 * requesting node (identity from the connection, as every node message), still desired, and
 * reference that name. The value itself is never logged.
 */
import type { Logger } from '../../shared/logger.js';
import type { SecretsRequest, SecretsResponse } from '../../shared/payloads/secrets.js';
import { seal, sealedValueAad } from '../../shared/secrets/sealed-box.js';
import { nodeTopic } from '../../shared/topics.js';
import { encode } from '../../shared/wire.js';
import type { NodeMessage } from '../broker/inbound.js';
import type { Store } from '../store/store.js';
import type { Materials } from './materials.js';

export interface SecretsResponderOptions {
  store: Pick<Store, 'getTask'>;
  materials: Pick<Materials, 'value'>;
  publish: (topic: string, payload: Buffer) => Promise<unknown>;
  logger: Logger;
}

export class SecretsResponder {
  constructor(private readonly options: SecretsResponderOptions) {}

  handle(message: NodeMessage): void {
    if (message.kind !== 'secrets-request') return;
    const answer = this.answer(message.nodeId, message.payload);
    this.options.publish(nodeTopic(message.nodeId, 'secrets'), encode(answer)).catch((err: Error) => {
      this.options.logger.warn({ nodeId: message.nodeId, err: err.message }, 'could not send a secrets answer');
    });
  }

  answer(nodeId: string, request: SecretsRequest): SecretsResponse {
    const { requestId, taskId, kind, name } = request;
    const refuse = (error: string): SecretsResponse => {
      this.options.logger.warn({ nodeId, taskId, kind, name, error }, 'refused a secrets request');
      return { v: 1, requestId, ok: false, error };
    };
    const task = this.options.store.getTask(taskId);
    const refs = kind === 'secret' ? task?.spec.secrets : task?.spec.configs;
    if (!task || task.nodeId !== nodeId || task.desiredState !== 'running' || !refs?.some((r) => r.source === name)) {
      return refuse(`no task ${taskId} using ${kind} ${name} is assigned to node ${nodeId}`);
    }
    let value: Buffer | null;
    try {
      value = this.options.materials.value(kind, name);
    } catch (err) {
      return refuse(`${kind} ${name} cannot be opened: ${(err as Error).message}`);
    }
    if (value === null) return refuse(`${kind} ${name} no longer exists`);
    try {
      return { v: 1, requestId, ok: true, sealed: seal(value, request.publicKey, sealedValueAad(nodeId, request)) };
    } catch (err) {
      return refuse(`cannot seal to the request's public key: ${(err as Error).message}`);
    }
  }
}
