/**
 * Every message the manager's MQTT client receives passes here once: decoded against the wire
 * contract, bad payloads counted by topic kind and reason and logged at most once a minute per
 * source and reason (then dropped), good ones handed to the components that asked for their kind.
 */
import { decodeMessage, type Decoded, type RejectReason } from '../../shared/wire.js';
import type { Logger } from '../../shared/logger.js';
import { parseTopic } from '../../shared/topics.js';

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
/** Past this many remembered (source, reason) pairs, the ones not logged within the interval are forgotten. */
const MAX_REMEMBERED_SOURCES = 10_000;

export class InboundRouter {
  private readonly handlers: MessageHandler[] = [];
  private readonly badBySource = new Map<string, number>();
  /** When each `source reason` pair was last logged, with how many were dropped unlogged since. */
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();
  private readonly onBadPayload: BadPayloadListener;
  private readonly now: () => number;

  constructor(
    private readonly logger: Logger,
    options: InboundRouterOptions = {},
  ) {
    this.onBadPayload = options.onBadPayload ?? (() => {});
    this.now = options.now ?? Date.now;
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
    for (const handler of this.handlers) {
      try {
        handler(decoded.message);
      } catch (err) {
        this.logger.error({ err, topic }, 'message handler failed');
      }
    }
  }

  /** At most one line a minute per source and reason, saying how many were dropped unlogged since. */
  private logRejected(source: string, reason: RejectReason, error: string): void {
    const key = `${source} ${reason}`;
    const now = this.now();
    const seen = this.lastLogged.get(key);
    if (seen && now - seen.at < BAD_PAYLOAD_LOG_INTERVAL_MS) {
      seen.suppressed++;
      return;
    }
    if (!seen && this.lastLogged.size >= MAX_REMEMBERED_SOURCES) this.forgetQuietSources(now);
    const since = seen && seen.suppressed > 0 ? ` (${seen.suppressed} more like it dropped since the last report)` : '';
    this.lastLogged.set(key, { at: now, suppressed: 0 });
    this.logger.warn({ source, reason }, `dropping bad payload: ${error}${since}`);
  }

  private forgetQuietSources(now: number): void {
    for (const [key, seen] of this.lastLogged) if (now - seen.at >= BAD_PAYLOAD_LOG_INTERVAL_MS) this.lastLogged.delete(key);
    // Still full: every source misbehaved within the minute; start over rather than grow without bound.
    if (this.lastLogged.size >= MAX_REMEMBERED_SOURCES) this.lastLogged.clear();
  }
}
