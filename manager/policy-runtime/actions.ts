/**
 * Carries out the policy engine's decisions: alerts go to the alert bus (history, MQTT, webhooks,
 * log) and the event log; a throttle change re-sends the node's desired set; a placement change
 * re-runs placement; a migration empties the node through the orchestrator and reports, in one
 * `thermal.failover` alert, which task went where, and in `thermal.no-target`, which could not.
 */
import type { Logger } from '../../shared/logger.js';
import type { Alert } from '../../shared/payloads/alert.js';
import type { AlertBus } from '../alerts/bus.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import type { PolicyEngine, PolicyEvent } from '../policy/index.js';
import { isHot } from '../policy/thermal.js';
import { logWriteFailure } from '../store/disk-full.js';
import type { Store } from '../store/store.js';
import { failoverAlert } from './failover.js';

/** Transitions the inventory already writes to the event log itself (as node.down / node.reboot). */
const LOGGED_BY_INVENTORY = new Set<Alert['kind']>(['node.down', 'node.reboot']);

export interface PolicyActionsOptions {
  engine: PolicyEngine;
  alerts: AlertBus;
  store: Store;
  dispatcher: Pick<Dispatcher, 'refresh'>;
  orchestrator: Pick<Orchestrator, 'evacuate' | 'endEvacuation' | 'requestPass'>;
  logger: Logger;
}

export class PolicyActions {
  constructor(private readonly o: PolicyActionsOptions) {}

  act(events: readonly PolicyEvent[]): void {
    // The engine's failover alert comes just before its migrate event; it is sent once the moves are known.
    const failovers = new Map<string, Alert>();
    for (const event of events) {
      try {
        if (event.type === 'alert') {
          if (event.alert.kind === 'thermal.failover' && event.alert.nodeId !== null) failovers.set(event.alert.nodeId, event.alert);
          else this.raise(event.alert);
        } else if (event.type === 'throttle-changed') {
          this.o.dispatcher.refresh(event.nodeId);
          if (!isHot(this.o.engine.view(event.nodeId).thermal.state)) this.o.orchestrator.endEvacuation(event.nodeId);
        } else if (event.type === 'placement-changed') {
          this.o.orchestrator.requestPass();
        } else {
          this.migrate(event.nodeId, event.reason, failovers.get(event.nodeId) ?? null);
          failovers.delete(event.nodeId);
        }
      } catch (err) {
        this.o.logger.error({ err, event: event.type }, 'acting on a heat/power policy decision failed');
      }
    }
    for (const alert of failovers.values()) this.raise(alert);
  }

  /** A node left the cluster: nothing of it is emptied any more. */
  forget(nodeId: string): void {
    this.o.orchestrator.endEvacuation(nodeId);
  }

  private migrate(nodeId: string, reason: string, engineAlert: Alert | null): void {
    const { moved, stuck } = this.o.orchestrator.evacuate(nodeId, reason);
    if (engineAlert && moved.length > 0) this.raise(failoverAlert(engineAlert, moved));
    for (const task of stuck) this.act(this.o.engine.noTarget(nodeId, task.taskId, `${task.service}: ${task.reason}`));
  }

  /** The alert always goes out (its history keeps it through a full disk); its event needs the disk. */
  private raise(alert: Alert): void {
    this.o.alerts.emit(alert);
    if (LOGGED_BY_INVENTORY.has(alert.kind)) return;
    try {
      this.o.store.addEvent(alert.kind, alert.nodeId ?? 'cluster', alert.message, { ...alert.details, alertId: alert.id, severity: alert.severity });
    } catch (err) {
      logWriteFailure(this.o.logger, err, `event for alert ${alert.kind}`);
    }
  }
}
