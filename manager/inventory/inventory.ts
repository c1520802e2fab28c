/**
 * Node liveness and facts from what boards publish. A node is ready on an online status or any
 * telemetry; down on its will (offline, clean false), on a clean offline, or after the node timeout
 * without telemetry; a node not heard from since the manager started gets the restart grace
 * instead (restart-grace.ts). Latest telemetry goes to the store's memory, never to disk, and the
 * node it names is looked up in the store's in-memory node records: a sample costs no database read.
 */
import type { NodeFacts } from '../../shared/payloads/facts.js';
import type { NodeStatus } from '../../shared/payloads/status.js';
import type { Logger } from '../../shared/logger.js';
import type { AlertBus } from '../alerts/bus.js';
import type { NodeMessage } from '../broker/inbound.js';
import type { ManagerMetrics } from '../metrics.js';
import type { Clock, TimerHandle } from '../options.js';
import { makeAlert } from '../policy/alerts.js';
import type { Change, NodeCredentialRecord, NodeRecord } from '../store/records.js';
import { logWriteFailure } from '../store/disk-full.js';
import type { Store } from '../store/store.js';
import { gaveUpHostname, hostnameHolder, nextHolders } from './hostnames.js';
import { restartGraceMs } from './restart-grace.js';

/** The status message of a node whose agent went offline in an orderly way. */
export const CLEAN_SHUTDOWN = 'agent shut down';

export interface InventoryOptions {
  store: Store;
  clock: Clock;
  nodeTimeoutMs: number;
  /** The agent on the manager's own host gets role `manager`. */
  localAgentNodeId: string | null;
  logger: Logger;
  /** Counts telemetry taken in (and its lag) or refused for naming a node the cluster does not know, and refused facts. */
  metrics?: Pick<ManagerMetrics, 'telemetry' | 'rejectedPayload'>;
  /**
   * A node is registered on its first online status or facts, with the credential this returns
   * (null: it never joined, the report is ignored). Embedded broker: the secret it bound when it
   * connected with the join token (PendingJoins). External broker: the broker's accounts and `%u`
   * ACL already guarantee that a message on `nodes/{id}/...` comes from node `id`.
   */
  admit?: (nodeId: string) => { credential: NodeCredentialRecord; via: string } | null;
  /** Where a hostname conflict is raised as an alert (`node.hostname-conflict`). */
  alerts?: Pick<AlertBus, 'emit'>;
  /** `kelvin manager --require-approval`: a new node is registered as pending until `kelvin node accept`. */
  requireApproval?: boolean;
}

export class Inventory {
  /** When each node was last heard from (telemetry or online) since this manager started; memory only. */
  private readonly lastHeard = new Map<string, number>();
  private readonly unknownLogged = new Set<string>();
  private sweep: TimerHandle | null = null;
  private readonly onChange = (changes: Change[]): void => this.handOverHostnames(changes);
  private startedAt = 0;
  private readonly graceMs: number;

  constructor(private readonly o: InventoryOptions) {
    this.graceMs = restartGraceMs(o.nodeTimeoutMs);
  }

  /**
   * Starts the liveness sweep. Nodes the store remembers as ready stay ready for the restart grace
   * (the manager was away, not the nodes): they go down only if they stay silent that long.
   */
  start(): void {
    this.startedAt = this.o.clock.now();
    this.sweep = this.o.clock.every(Math.max(50, Math.min(1000, Math.floor(this.o.nodeTimeoutMs / 5))), () => this.checkTimeouts());
    this.o.store.on('change', this.onChange);
  }

  stop(): void {
    this.sweep?.cancel();
    this.sweep = null;
    this.o.store.off('change', this.onChange);
  }

  handle(msg: NodeMessage): void {
    if (msg.kind !== 'status' && msg.kind !== 'facts' && msg.kind !== 'telemetry') return;
    const node = this.o.store.getNode(msg.nodeId) ?? (firstReport(msg) ? this.registerOnFirstReport(msg.nodeId) : null);
    if (!node) {
      if (msg.kind === 'telemetry') this.o.metrics?.telemetry(false);
      if (!this.unknownLogged.has(msg.nodeId)) {
        this.unknownLogged.add(msg.nodeId);
        this.o.logger.warn({ node: msg.nodeId }, `ignoring ${msg.kind} from unknown node`);
      }
      return;
    }
    if (msg.kind === 'status') this.onStatus(node, msg.payload);
    else if (msg.kind === 'facts') this.onFacts(node, msg.payload);
    else {
      // setTelemetry runs the policy's listeners synchronously: the lag covers state and policy both.
      this.o.store.setTelemetry(node.id, msg.payload);
      this.heard(node, 'reporting telemetry');
      this.o.metrics?.telemetry(true, this.o.clock.now() - msg.payload.ts);
    }
  }

  private registerOnFirstReport(nodeId: string): NodeRecord | null {
    // A revoked node still holding a broker account stays out: its reports are ignored.
    if (this.o.store.revocationOf(nodeId) !== null) return null;
    const admitted = this.o.admit?.(nodeId);
    if (!admitted) return null;
    const role = nodeId === this.o.localAgentNodeId ? 'manager' : 'worker';
    // The manager's own agent is the admin's machine: it never waits for approval.
    const pending = this.o.requireApproval === true && role !== 'manager';
    const waiting = pending ? `; it takes no work until accepted (kelvin node accept ${nodeId})` : '';
    return this.o.store.transaction(() => {
      const node = this.o.store.registerNode(nodeId, admitted.credential, role, pending ? 'pending' : 'accepted');
      this.o.store.addEvent('node.join', nodeId, `node ${nodeId} joined the cluster${admitted.via}${waiting}`);
      this.o.logger.info({ node: nodeId }, `node joined${admitted.via}${waiting}`);
      return node;
    });
  }

  /**
   * Marks down every ready node silent for the node timeout (or, not heard from since the manager
   * started, for the restart grace). Runs on the sweep timer, so it never throws: a node whose
   * change could not be stored (full disk) stays ready and is tried next sweep.
   */
  checkTimeouts(): void {
    const now = this.o.clock.now();
    for (const node of this.o.store.listNodes()) {
      if (node.status !== 'ready') continue;
      const silent = this.silence(node, now);
      if (!silent) continue;
      try {
        this.markDown(node, silent.reason, silent.lastSeenAt);
      } catch (err) {
        logWriteFailure(this.o.logger, err, `marking node ${node.id} down`);
      }
    }
  }

  /** Why a ready node counts as down by now, or null while it may still report. */
  private silence(node: NodeRecord, now: number): { reason: string; lastSeenAt: number } | null {
    const last = this.lastHeard.get(node.id);
    if (last === undefined) {
      if (now - this.startedAt < this.graceMs) return null;
      return { reason: `not back within ${seconds(this.graceMs)} of the manager's start`, lastSeenAt: node.lastSeenAt ?? this.startedAt };
    }
    if (now - last < this.o.nodeTimeoutMs) return null;
    return { reason: `no telemetry for ${seconds(now - last)}`, lastSeenAt: last };
  }

  private onStatus(node: NodeRecord, status: NodeStatus): void {
    if (status.state === 'online') {
      // The online status carries the boot id and comes before the facts: record a reboot first,
      // so whoever reacts to the node turning ready (the power policy: brownout or reboot) sees
      // the new boot, not the previous one.
      this.o.store.transaction(() => {
        this.recordBoot(node, status.bootId, node.hostname);
        this.heard(node, 'online');
      });
      return;
    }
    // An offline status retained on an external broker from before this manager started is old
    // news: like every node not heard from yet, the node gets the restart grace to come back.
    if (!this.lastHeard.has(node.id) && node.status === 'ready' && this.o.clock.now() - this.startedAt < this.graceMs) return;
    // A late will of a connection the agent already replaced may land here too: the node's next
    // telemetry (within a second) makes it ready again, well inside the node timeout that
    // rescheduling waits for, so nothing moves.
    // A node never heard from keeps lastSeenAt null: `join-token --rotate --prune` goes by that.
    const last = this.lastHeard.get(node.id) ?? node.lastSeenAt;
    this.markDown(node, status.clean ? CLEAN_SHUTDOWN : 'connection lost (will message)', last);
  }

  private onFacts(node: NodeRecord, facts: NodeFacts): void {
    if (facts.nodeId !== node.id) {
      this.o.metrics?.rejectedPayload('facts', 'identity');
      this.o.logger.warn({ node: node.id }, `dropping facts that name node ${facts.nodeId}`);
      return;
    }
    const role = node.id === this.o.localAgentNodeId ? 'manager' : 'worker';
    const before = this.o.store.getNode(node.id)?.hostnameConflict ?? null;
    const holder = hostnameHolder(this.o.store.listNodes(), node.id, facts.hostname);
    this.o.store.transaction(() => {
      this.recordBoot(node, facts.bootId, facts.hostname);
      this.o.store.updateNode(node.id, { hostname: facts.hostname, hostnameConflict: holder?.id ?? null, facts, role });
      if (holder && holder.id !== before) this.conflicted(node.id, facts.hostname, holder);
      else if (!holder && before !== null) this.o.store.addEvent('node.hostname', node.id, `node ${node.id} now holds hostname ${facts.hostname}`);
    });
  }

  /**
   * Marks the conflict in the event log and raises it as an alert: someone may be impersonating a
   * board. A board toggling its hostname is rate-limited like any event: once its repeats are only
   * counted (`details.repeats`), they are not logged or alerted again.
   */
  private conflicted(nodeId: string, hostname: string, holder: NodeRecord): void {
    const message = `node ${nodeId} reports hostname ${hostname}, which node ${holder.id} holds: hostname conflict with ${holder.id}; no work pinned to ${hostname} goes to it`;
    const details = { hostname, holder: holder.id };
    const event = this.o.store.addEvent('node.hostname-conflict', nodeId, message, details);
    if (event.details.repeats !== undefined) return;
    this.o.logger.warn({ node: nodeId, holder: holder.id }, message);
    this.o.alerts?.emit(makeAlert('node.hostname-conflict', 'warning', nodeId, message, this.o.clock.now(), details));
  }

  /** A node that gave up its hostname (renamed, conflicted, removed) hands it to the first node waiting on it. */
  private handOverHostnames(changes: Change[]): void {
    for (const c of changes) {
      if (c.kind !== 'node' || !gaveUpHostname(c.before, c.after)) continue;
      const freed = c.before;
      const next = nextHolders(this.o.store.listNodes(), freed.id);
      if (next.length === 0) continue;
      this.o.store.transaction(() => {
        for (const { node, conflict } of next) {
          this.o.store.updateNode(node.id, { hostnameConflict: conflict });
          if (conflict === null) this.o.store.addEvent('node.hostname', node.id, `node ${node.id} now holds hostname ${node.hostname} (node ${freed.id} gave it up)`);
        }
      });
    }
  }

  /** Stores the node's boot id, with a `node.reboot` event when it differs from the known one. */
  private recordBoot(node: NodeRecord, bootId: string, hostname: string): void {
    const known = this.o.store.getNode(node.id)?.bootId ?? null;
    if (known === bootId) return;
    this.o.store.updateNode(node.id, { bootId });
    if (known !== null) this.o.store.addEvent('node.reboot', node.id, `node ${hostname} rebooted`, { previousBootId: known, bootId });
  }

  private heard(node: NodeRecord, why: string): void {
    const now = this.o.clock.now();
    this.lastHeard.set(node.id, now);
    if (node.status === 'ready') return;
    this.o.store.transaction(() => {
      this.o.store.updateNode(node.id, { status: 'ready', statusMessage: '', lastSeenAt: now });
      this.o.store.addEvent('node.ready', node.id, `node ${node.hostname} is ready (${why})`);
    });
  }

  private markDown(node: NodeRecord, reason: string, lastSeenAt: number | null): void {
    if (node.status === 'down' && node.statusMessage === reason) return;
    this.o.store.transaction(() => {
      this.o.store.updateNode(node.id, { status: 'down', statusMessage: reason, lastSeenAt });
      if (node.status === 'ready') this.o.store.addEvent('node.down', node.id, `node ${node.hostname} is down: ${reason}`);
    });
    this.o.store.forgetTelemetry(node.id);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** What registers a node: an online status or facts. A will (offline) from a node that never reported does not. */
function firstReport(msg: NodeMessage): boolean {
  return msg.kind === 'facts' || (msg.kind === 'status' && msg.payload.state === 'online');
}
