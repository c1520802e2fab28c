/**
 * Log fetching over MQTT: the manager publishes a LogsRequest on the node's `logs-request` topic
 * and the agent answers with LogsChunks on its `logs` topic, matched by request id. A stream ends on
 * the chunk marked `done`; a follow stream is cancelled (a `cancel` request) when its reader goes
 * away, so an agent never keeps streaming to nobody.
 */
import { randomBytes } from 'node:crypto';
import type { LogLine, LogsChunk, LogsRequest } from '../shared/payloads/logs.js';
import type { NodeMessage } from './broker/inbound.js';

export interface LogsRelayOptions {
  /** Sends a request to a node (QoS 1, not retained). */
  publishRequest(nodeId: string, request: LogsRequest): void;
  /** A node that sends nothing for this long is given up on (follow streams wait forever). */
  answerTimeoutMs?: number;
}

export interface LogsQuery {
  tail: number | null;
  follow: boolean;
  /** Aborting ends the stream and cancels it on the node. */
  signal?: AbortSignal;
}

/** One open request: chunks queue up until the reader takes them. */
interface Pending {
  nodeId: string;
  chunks: LogsChunk[];
  wake: (() => void) | null;
}

export class LogsRelay {
  private readonly pending = new Map<string, Pending>();
  private readonly answerTimeoutMs: number;

  constructor(private readonly options: LogsRelayOptions) {
    this.answerTimeoutMs = options.answerTimeoutMs ?? 5000;
  }

  /** Requests being answered now. */
  get open(): number {
    return this.pending.size;
  }

  /** Feed for the manager's inbound router; only `logs` messages from the node asked are taken. */
  handle(message: NodeMessage): void {
    if (message.kind !== 'logs') return;
    const p = this.pending.get(message.payload.requestId);
    // A chunk from another node than the one asked cannot answer this request.
    if (!p || p.nodeId !== message.nodeId) return;
    p.chunks.push(message.payload);
    p.wake?.();
  }

  /** The task's lines from its node, in the order the node sends them. Throws the node's error. */
  async *stream(nodeId: string, taskId: string, query: LogsQuery): AsyncGenerator<LogLine> {
    const requestId = randomBytes(12).toString('hex');
    const p: Pending = { nodeId, chunks: [], wake: null };
    this.pending.set(requestId, p);
    const request: LogsRequest = { v: 1, requestId, taskId, tail: query.tail, follow: query.follow, cancel: false };
    let done = false;
    const onAbort = (): void => p.wake?.();
    query.signal?.addEventListener('abort', onAbort);
    try {
      this.options.publishRequest(nodeId, request);
      for (;;) {
        const chunk = p.chunks.shift();
        if (chunk) {
          yield* chunk.lines;
          if (chunk.done) {
            done = true;
            if (chunk.error !== null) throw new Error(`node ${nodeId}: ${chunk.error}`);
            return;
          }
          continue;
        }
        if (query.signal?.aborted) return;
        const answered = await this.waitForChunk(p, query.follow ? null : this.answerTimeoutMs);
        if (!answered) throw new Error(`node ${nodeId} did not answer the logs request within ${this.answerTimeoutMs} ms`);
      }
    } finally {
      query.signal?.removeEventListener('abort', onAbort);
      this.pending.delete(requestId);
      if (!done) this.options.publishRequest(nodeId, { ...request, cancel: true });
    }
  }

  /** Resolves true when a chunk (or an abort) arrives, false on timeout. */
  private waitForChunk(p: Pending, timeoutMs: number | null): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = timeoutMs === null ? null : setTimeout(() => finish(false), timeoutMs);
      const finish = (answered: boolean): void => {
        if (timer) clearTimeout(timer);
        p.wake = null;
        resolve(answered);
      };
      p.wake = () => finish(true);
    });
  }
}
