/**
 * One event for each state a rolling update enters, and the alerts a person should hear about:
 * `service.update-paused` when an update or rollback pauses, `service.rolled-back` when a rollback
 * completes (so a webhook hears about a failed deploy).
 */
import type { Alert } from '../../shared/payloads/alert.js';
import type { Change, ServiceRecord, UpdateStatus } from '../store/records.js';
import type { Store } from '../store/store.js';
import { newObjectId } from './task-factory.js';

export function recordTransition(store: Store, service: ServiceRecord, status: UpdateStatus): void {
  store.addEvent(`service.update.${status.state}`, service.name, `service ${service.name}: ${status.message}`, {
    serviceId: service.id,
    state: status.state,
    version: status.version,
  });
}

/** The alert a committed service change calls for, or null. */
export function updateAlertOf(change: Change, now: number): Alert | null {
  if (change.kind !== 'service' || change.after === null) return null;
  const after = change.after.updateStatus;
  const before = change.before?.updateStatus ?? null;
  if (after === null || (before !== null && before.state === after.state && before.version === after.version)) return null;
  const paused = after.state === 'paused' || after.state === 'rollback_paused';
  if (!paused && after.state !== 'rollback_completed') return null;
  return {
    v: 1,
    id: newObjectId(),
    kind: paused ? 'service.update-paused' : 'service.rolled-back',
    severity: paused ? 'critical' : 'warning',
    nodeId: null,
    message: `service ${change.after.name}: ${after.message}`,
    at: now,
    details: { service: change.after.name, serviceId: change.after.id, state: after.state, version: after.version },
  };
}

/** Raises the update alerts of every committed change; returns the unsubscribe function. */
export function watchUpdateAlerts(store: Store, emit: (alert: Alert) => void, now: () => number): () => void {
  const listener = (changes: Change[]): void => {
    for (const change of changes) {
      const alert = updateAlertOf(change, now());
      if (alert) emit(alert);
    }
  };
  store.on('change', listener);
  return () => store.off('change', listener);
}
