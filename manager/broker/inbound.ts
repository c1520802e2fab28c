/**
 * Every message the manager's MQTT client receives passes here once: decoded against the wire
 * contract, bad payloads counted and logged once per source (then dropped), good ones handed to
 * the components that asked for their kind.
 */
import { decodeMessage, type Decoded } from '../../shared/wire.js';
import type { Logger } from '../../shared/logger.js';
import { parseTopic } from '../../shared/topics.js';

export type NodeMessage = Extract<Decoded, { scope: 'node' }>;
export type MessageHandler = (message: NodeMessage) => void;
/** Told of every payload dropped as bad, with the topic kind it came on (null: a topic outside the contract). */
export type BadPayloadListener = (kind: string | null) => void;

export class InboundRouter {
  private readonly handlers: MessageHandler[] = [];
  private readonly badBySource = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly onBadPayload: BadPayloadListener = () => {},
  ) {}

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
      this.onBadPayload(node?.kind ?? (parsed.ok ? parsed.topic.scope : null));
      const count = (this.badBySource.get(source) ?? 0) + 1;
      this.badBySource.set(source, count);
      if (count === 1) this.logger.warn({ source }, `dropping bad payload: ${decoded.error} (further ones from this source are counted, not logged)`);
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
}
