/**
 * Publishes the endpoint list to every node's retained `endpoints` topic whenever it changes (new
 * generation) and to a node that has not had the current one. Level-triggered: a board that
 * reconnects reads the retained list; one cut off keeps the last it had. Heat changes come from the
 * policy engine, which has no change events, so the list is recomputed on a short period.
 */
import type { EndpointList } from '../../shared/payloads/endpoints.js';
import type { Logger } from '../../shared/logger.js';
import { nodeTopic } from '../../shared/topics.js';
import { encode } from '../../shared/wire.js';
import { computeEndpointList, type EndpointSources } from './endpoint-list.js';

export interface MeshPublisherOptions extends EndpointSources {
  incarnation: string;
  nodeIds: () => string[];
  publish: (topic: string, payload: Buffer) => Promise<void>;
  logger: Logger;
  periodMs?: number;
}

export class MeshPublisher {
  private generation = 0;
  private lastBody = '';
  private current: Buffer | null = null;
  /** Generation each node was last sent. */
  private readonly sent = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: MeshPublisherOptions) {}

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.o.periodMs ?? 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The broker may have lost its retained messages: send the list to everyone again. */
  republishAll(): void {
    this.sent.clear();
    this.tick();
  }

  tick(): void {
    try {
      this.o.endpoints.prune();
      const body = computeEndpointList(this.o);
      const text = JSON.stringify(body);
      if (text !== this.lastBody || this.current === null) {
        this.lastBody = text;
        this.generation++;
        const list: EndpointList = { v: 1, incarnation: this.o.incarnation, generation: this.generation, ...body };
        this.current = encode(list);
      }
      const live = new Set(this.o.nodeIds());
      for (const id of this.sent.keys()) {
        if (live.has(id)) continue;
        // A removed node keeps no retained list in the broker (an empty retained message clears it).
        this.sent.delete(id);
        this.o.publish(nodeTopic(id, 'endpoints'), Buffer.alloc(0)).catch(() => undefined);
      }
      for (const id of live) {
        if (this.sent.get(id) === this.generation) continue;
        this.sent.set(id, this.generation);
        this.o.publish(nodeTopic(id, 'endpoints'), this.current).catch((err: unknown) => {
          this.sent.delete(id);
          this.o.logger.warn({ nodeId: id, err: (err as Error).message }, 'could not publish the endpoint list');
        });
      }
    } catch (err) {
      this.o.logger.error({ err }, 'endpoint list update failed; retrying');
    }
  }
}
