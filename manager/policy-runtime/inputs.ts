/**
 * Feeds the policy engine from the store: each telemetry sample (with the node's profile limits),
 * a node coming online (its boot id) or going offline (clean shutdown or not), limit overrides set
 * with `kelvin node update --thermal-*`, and a tick every second for time-based transitions.
 */
import type { Logger } from '../../shared/logger.js';
import type { NodeFacts } from '../../shared/payloads/facts.js';
import type { Telemetry } from '../../shared/payloads/telemetry.js';
import { CLEAN_SHUTDOWN } from '../inventory/inventory.js';
import type { Clock, TimerHandle } from '../options.js';
import type { PolicyEngine, PolicyEvent } from '../policy/index.js';
import type { Change, NodeRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

const TICK_MS = 1000;

export interface PolicyInputsOptions {
  engine: PolicyEngine;
  store: Store;
  clock: Clock;
  act: (events: PolicyEvent[]) => void;
  /** A node was removed from the cluster. */
  forget: (nodeId: string) => void;
  logger: Logger;
}

export class PolicyInputs {
  /** Facts per node, kept from node changes so a telemetry sample costs no database read. */
  private readonly facts = new Map<string, NodeFacts>();
  private ticker: TimerHandle | null = null;
  private readonly onTelemetry = (nodeId: string, telemetry: Telemetry): void => {
    const facts = this.facts.get(nodeId);
    if (facts) this.o.act(this.o.engine.observeTelemetry(nodeId, telemetry, facts.thermalLimits));
  };
  private readonly onChange = (changes: Change[]): void => {
    for (const c of changes) if (c.kind === 'node') this.nodeChanged(c.id, c.before, c.after);
  };

  constructor(private readonly o: PolicyInputsOptions) {}

  /** Nodes the store remembers as ready count as online with their recorded boot id. */
  start(): void {
    for (const node of this.o.store.listNodes()) {
      this.nodeChanged(node.id, null, node);
    }
    this.o.store.on('telemetry', this.onTelemetry);
    this.o.store.on('change', this.onChange);
    this.ticker = this.o.clock.every(TICK_MS, () => this.o.act(this.o.engine.tick()));
  }

  stop(): void {
    this.ticker?.cancel();
    this.ticker = null;
    this.o.store.off('telemetry', this.onTelemetry);
    this.o.store.off('change', this.onChange);
  }

  private nodeChanged(nodeId: string, before: NodeRecord | null, after: NodeRecord | null): void {
    const { engine } = this.o;
    if (!after) {
      this.facts.delete(nodeId);
      engine.removeNode(nodeId);
      this.o.forget(nodeId);
      return;
    }
    if (after.facts) this.facts.set(nodeId, after.facts);
    if (JSON.stringify(before?.thermalOverrides ?? {}) !== JSON.stringify(after.thermalOverrides)) this.applyOverrides(after);
    const wasReady = before?.status === 'ready';
    if (!wasReady && after.status === 'ready' && after.bootId !== null) {
      this.o.act(engine.observeOnline(nodeId, after.bootId));
    } else if (wasReady && after.status === 'down') {
      this.o.act(engine.observeOffline(nodeId, after.statusMessage === CLEAN_SHUTDOWN));
    }
  }

  /** Checked when set (Cluster.updateNode); a profile that changed since may no longer fit them. */
  private applyOverrides(node: NodeRecord): void {
    try {
      this.o.engine.setLimitOverrides(node.id, node.thermalOverrides);
    } catch (err) {
      this.o.logger.warn({ node: node.id }, `thermal limit overrides of ${node.hostname} not applied: ${(err as Error).message}`);
    }
  }
}
