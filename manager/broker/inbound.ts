/**
 * Every message the manager's MQTT client receives passes here once: decoded against the wire
 * contract, bad payloads counted by topic kind and reason and logged at most once a minute per
 * source and reason (then dropped), good ones handed to the components that asked for their kind.
 * A facts or task-status message a handler could not store because the data disk was full is
 * kept (the latest per node, or per task) and handed to that handler again by `replayDeferred()`
 * once the disk takes writes: boards send these only on a change, unlike status and telemetry,
 * which the next sample repeats.
 */
import { decodeMessage, type Decoded, type RejectReason } from '../../shared/wire.js';
import type { Logger } from '../../shared/logger.js';
import { parseTopic } from '../../shared/topics.js';
import { DataDiskFullError, logWriteFailure } from '../store/disk-full.js';
import { LogOncePer } from './rate-limit.js';

export type NodeMessage = Extract<Decoded, { scope: 'node' }>;
export type MessageHandler = (message: NodeMessage) => void;
/**
 * Told of every payload dropped as bad: the topic kind it came on (`status`, `facts`, ...,
 * `alerts`; `unknown` for a topic outside the contract) and why.
 */
export type BadPayloadListener = (kind: string, reason: RejectReason) => void;

export interface InboundRouterOptions {
  onBadPayload?: BadPayloadListener;
  now?: () => number;
}

/** A source that keeps sending the same bad payload is logged again after this long, not on every message. */
export const BAD_PAYLOAD_LOG_INTERVAL_MS = 60_000;
/** At most this many sources and (source, reason) pairs are remembered; past it the oldest are forgotten. */
const MAX_REMEMBERED_SOURCES = 10_000;

/** Messages kept for a retry while the disk is full; beyond this the oldest are dropped. */
const MAX_DEFERRED = 10_000;

export class InboundRouter {
  private readonly handlers: MessageHandler[] = [];
  private readonly badBySource = new Map<string, number>();
  /** When each `source reason` pair was last logged, with how many were dropped unlogged since. */
  private readonly logDue: LogOncePer;
  private readonly onBadPayload: BadPayloadListener;
  /** Oldest first; the key names the handler and what the message is about (see deferKey). */
  private readonly deferred = new Map<string, { handler: MessageHandler; message: NodeMessage }>();

  constructor(
    private readonly logger: Logger,
    options: InboundRouterOptions = {},
  ) {
    this.onBadPayload = options.onBadPayload ?? (() => {});
    this.logDue = new LogOncePer(BAD_PAYLOAD_LOG_INTERVAL_MS, options.now ?? Date.now, MAX_REMEMBERED_SOURCES);
  }

  add(handler: MessageHandler): void {
    this.handlers.push(handler);
  }

  /** Bad payloads seen per source (node id, or the topic when it names none). */
  badPayloads(): ReadonlyMap<string, number> {
    return this.badBySource;
  }

  route(topic: string, payload: Uint8Array): void {
    // An empty retained payload only clears a retained message; nothing to decode.
    if (payload.byteLength === 0) return;
    const decoded = decodeMessage(topic, payload);
    if (!decoded.ok) {
      const parsed = parseTopic(topic);
      const node = parsed.ok && parsed.topic.scope === 'node' ? parsed.topic : null;
      const source = node?.nodeId ?? topic;
      this.onBadPayload(node?.kind ?? (parsed.ok ? parsed.topic.scope : 'unknown'), decoded.reason);
      if (this.badBySource.has(source) || this.badBySource.size < MAX_REMEMBERED_SOURCES) {
        this.badBySource.set(source, (this.badBySource.get(source) ?? 0) + 1);
      }
      this.logRejected(source, decoded.reason, decoded.error);
      return;
    }
    if (decoded.message.scope !== 'node') return;
    const message = decoded.message;
    this.handlers.forEach((handler, index) => this.deliver(handler, index, message));
  }

  /** Hands every message kept during a full disk to its handler again, oldest first. */
  replayDeferred(): void {
    const kept = [...this.deferred.values()];
    this.deferred.clear();
    for (const { handler, message } of kept) this.deliver(handler, this.handlers.indexOf(handler), message);
  }

  /** Messages waiting for the data disk. */
  get deferredCount(): number {
    return this.deferred.size;
  }

  private deliver(handler: MessageHandler, index: number, message: NodeMessage): void {
    try {
      handler(message);
    } catch (err) {
      logWriteFailure(this.logger, err, `${message.kind} from node ${message.nodeId}`);
      const key = err instanceof DataDiskFullError ? deferKey(index, message) : null;
      if (key === null) return;
      this.deferred.delete(key);
      this.deferred.set(key, { handler, message });
      if (this.deferred.size > MAX_DEFERRED) this.deferred.delete(this.deferred.keys().next().value as string);
    }
  }

  /** At most one line a minute per source and reason, saying how many were dropped unlogged since. */
  private logRejected(source: string, reason: RejectReason, error: string): void {
    const suppressed = this.logDue.dueAfter(`${source} ${reason}`);
    if (suppressed === null) return;
    const since = suppressed > 0 ? ` (${suppressed} more like it dropped since the last report)` : '';
    this.logger.warn({ source, reason }, `dropping bad payload: ${error}${since}`);
  }
}

/** Facts: the latest per node; task status: the latest per task; the rest is repeated by the board. */
function deferKey(handlerIndex: number, message: NodeMessage): string | null {
  if (message.kind === 'facts') return `${handlerIndex}|facts|${message.nodeId}`;
  if (message.kind === 'task-status') return `${handlerIndex}|task-status|${message.nodeId}|${message.payload.taskId}`;
  return null;
}
