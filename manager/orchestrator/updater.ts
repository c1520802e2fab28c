/**
 * Rolling updates, as swarmkit's updater, decided one orchestration pass at a time from the store
 * (pure: the pass hands in the service, its tasks and the time). A rollout replaces outdated slots
 * in batches of `parallelism` (0 = all); the next batch starts only when every task of the last one
 * has run through its `monitor` window (running, and healthy when it has a check), and `delay`
 * after that. Kelvin waits where Swarm only watches, so a bad version is caught in its first batch
 * before any other replica is touched. A new task that exits, is rejected or turns unhealthy within
 * `monitor` of starting is a failure; past `maxFailureRatio` the `failureAction` applies. Progress
 * lives in `service.updateStatus`, and the tasks themselves say which slots are done, so a manager
 * that restarts resumes where it was and never redoes a finished batch.
 */
import { isTerminal } from '../../shared/payloads/tasks.js';
import type { UpdateConfig } from '../../shared/service-spec.js';
import type { ServiceRecord, TaskRecord, UpdateState, UpdateStatus } from '../store/records.js';
import { decideRestart } from './restart-policy.js';
import { isOutdated } from './task-factory.js';

export interface RolloutInput {
  service: ServiceRecord;
  /** Live tasks (desired running) per slot key (replica number, or node id of a global task), oldest first. */
  slots: ReadonlyMap<string, readonly TaskRecord[]>;
  /** Every task of the service, ended ones included; asked for only while a rollout runs. */
  history: () => readonly TaskRecord[];
  now: number;
}

export interface RolloutDecision {
  /** Slots whose task may be replaced in this pass. */
  start: ReadonlySet<string>;
  /** Stop-first or start-first, from the config in force (rollback_config during a rollback). */
  order: UpdateConfig['order'];
  /** The status to store when it changed; null when unchanged. */
  status: UpdateStatus | null;
  /** The status entered a new state (one event, maybe an alert). */
  transition: boolean;
  /** failure_action rollback fired: the caller swaps in the previous spec (see rollbackPatch). */
  rollback: string | null;
  /** When a pass is next needed (a monitor window ends, the delay is over); null: on task changes only. */
  wakeAt: number | null;
}

const ACTIVE: readonly UpdateState[] = ['updating', 'rollback_started'];
const PAUSED: readonly UpdateState[] = ['paused', 'rollback_paused'];

export function isRollback(state: UpdateState): boolean {
  return state.startsWith('rollback');
}

/** The config a rollout in this state follows. */
export function configFor(service: ServiceRecord, state: UpdateState | undefined): UpdateConfig {
  return state !== undefined && isRollback(state) ? service.spec.rollbackConfig : service.spec.updateConfig;
}

/**
 * A rollout just begun (`total` is filled in by the first pass that sees the slots). One that
 * replaces a rollout still under way keeps its batch, so the slots in flight still count against
 * parallelism.
 */
export function freshStatus(state: 'updating' | 'rollback_started', version: number, now: number, message: string, replacing: UpdateStatus | null = null): UpdateStatus {
  const batch = replacing !== null && ACTIVE.includes(replacing.state) ? replacing.batch : [];
  return { state, version, startedAt: now, completedAt: null, message, total: 0, batch, nextBatchAt: now, failures: 0, failedTasks: [] };
}

/**
 * The record change that rolls a service back to its previous spec (the one it rolls back from
 * becomes the previous spec, as Swarm swaps them), with a rollback rollout started.
 */
export function rollbackPatch(service: ServiceRecord, now: number, message: string): Pick<ServiceRecord, 'spec' | 'previousSpec' | 'version'> & { updateStatus: UpdateStatus } | null {
  if (service.previousSpec === null) return null;
  const version = service.version + 1;
  return { spec: service.previousSpec, previousSpec: service.spec, version, updateStatus: freshStatus('rollback_started', version, now, message, service.updateStatus) };
}

/**
 * A slot is due for replacement: its one live task runs (or starts) an older spec, or ended and
 * waits for its restart (the rollout restarts it at once, with the new spec).
 */
function dueForUpdate(tasks: readonly TaskRecord[], service: ServiceRecord, now: number): boolean {
  const newest = tasks[tasks.length - 1];
  if (tasks.length !== 1 || newest === undefined || newest.state === 'pending' || !isOutdated(newest, service)) return false;
  return !isTerminal(newest.state) || decideRestart(newest, service.spec.restartPolicy, now).restart;
}

/** Why a task of the rollout counts as failed, or null. Tasks the orchestrator stopped (moved for heat, node lost) never do. */
function failureOf(task: TaskRecord, monitorMs: number, now: number): string | null {
  const endedOnItsOwn = task.state !== 'shutdown' && (task.desiredState === 'running' || task.restarted);
  if (isTerminal(task.state) && endedOnItsOwn) {
    if (task.startedAt !== null && (task.finishedAt ?? now) - task.startedAt >= monitorMs) return null;
    const why = task.error ?? (task.exitCode !== null ? `exit code ${task.exitCode}` : task.message);
    return `task ${task.id} ${task.state}${why ? `: ${why}` : ''}`;
  }
  if (task.health === 'unhealthy' && !isTerminal(task.state) && task.startedAt !== null && now - task.startedAt < monitorMs) {
    return `task ${task.id} unhealthy`;
  }
  return null;
}

export function planRollout(input: RolloutInput): RolloutDecision {
  const { service, slots, now } = input;
  const previous = service.updateStatus;
  const due = [...slots].filter(([, tasks]) => dueForUpdate(tasks, service, now)).map(([key]) => key);
  const idle = (status: UpdateStatus | null): RolloutDecision => ({
    start: new Set(),
    order: configFor(service, status?.state).order,
    status: null,
    transition: false,
    rollback: null,
    wakeAt: null,
  });

  let status: UpdateStatus;
  let transition = false;
  if (previous !== null && previous.version === service.version && ACTIVE.includes(previous.state)) {
    status = { ...previous };
  } else if (due.length > 0 && !(previous !== null && previous.version === service.version && PAUSED.includes(previous.state))) {
    // Outdated tasks and no rollout for this version (an update through the store, or from an older manager).
    status = freshStatus('updating', service.version, now, 'update in progress', previous);
    transition = true;
  } else {
    return idle(previous);
  }
  if (status.total === 0) status.total = due.length + status.batch.length;
  const config = configFor(service, status.state);
  const decision: RolloutDecision = { start: new Set(), order: config.order, status, transition, rollback: null, wakeAt: null };
  const wake = (at: number): void => {
    decision.wakeAt = decision.wakeAt === null ? at : Math.min(decision.wakeAt, at);
  };

  // Failures: new tasks of this rollout that ended or turned unhealthy within their monitor window.
  const tasks = input.history().filter((t) => t.createdAt >= status.startedAt && !isOutdated(t, service));
  const present = new Set(tasks.map((t) => t.id));
  const counted = new Set(status.failedTasks.filter((id) => present.has(id)));
  const failedSlots = new Set<string>();
  let firstFailure: string | null = null;
  for (const t of tasks) {
    if (counted.has(t.id)) {
      failedSlots.add(slotKey(t));
      continue;
    }
    const failure = failureOf(t, config.monitorMs, now);
    if (failure === null) continue;
    counted.add(t.id);
    failedSlots.add(slotKey(t));
    status.failures += 1;
    firstFailure ??= failure;
  }
  status.failedTasks = [...counted];
  if (firstFailure !== null && status.failures / Math.max(1, status.total) > config.maxFailureRatio && config.failureAction !== 'continue') {
    const rollingBack = isRollback(status.state);
    if (config.failureAction === 'rollback' && !rollingBack && service.previousSpec !== null) {
      decision.rollback = `rollback initiated because of failure or early termination of ${firstFailure}`;
      return decision;
    }
    Object.assign(status, {
      state: rollingBack ? 'rollback_paused' : 'paused',
      completedAt: now,
      message: `${rollingBack ? 'rollback' : 'update'} paused due to failure or early termination of ${firstFailure}`,
    });
    decision.transition = true;
    return decision;
  }

  // The batch under way: each slot settles when its new task has run through the monitor window, or failed.
  const open = status.batch.filter((key) => {
    if (failedSlots.has(key)) return false;
    const live = slots.get(key);
    const newest = live?.[live.length - 1];
    if (!live || !newest || isTerminal(newest.state)) return false;
    if (live.length > 1) return true;
    // Not replaced under this spec (a batch carried over from the rollout this one replaced): due again, not in flight.
    if (isOutdated(newest, service)) return false;
    if (newest.state !== 'running' || newest.startedAt === null) return true;
    if (newest.health === 'starting' || newest.health === 'unhealthy') return true;
    const settlesAt = newest.startedAt + config.monitorMs;
    if (settlesAt > now) wake(settlesAt);
    return settlesAt > now;
  });
  if (status.batch.length > 0 && open.length === 0) status.nextBatchAt = now + config.delayMs;
  status.batch = open;
  if (open.length > 0) return decision;

  if (due.length === 0) {
    const done: UpdateState = isRollback(status.state) ? 'rollback_completed' : 'completed';
    Object.assign(status, { state: done, completedAt: now, message: `${isRollback(done) ? 'rollback' : 'update'} completed` });
    decision.transition = true;
    return decision;
  }
  if (status.nextBatchAt > now) {
    wake(status.nextBatchAt);
    return decision;
  }
  const ordered = due.sort(compareSlotKeys);
  const batch = config.parallelism === 0 ? ordered : ordered.slice(0, config.parallelism);
  status.batch = batch;
  decision.start = new Set(batch);
  return decision;
}

/** The key planRollout uses for a task's slot. */
export function slotKey(task: TaskRecord): string {
  return task.slot !== null ? String(task.slot) : (task.nodeId ?? '');
}

function compareSlotKeys(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

/** True when the two statuses differ (so an unchanged one is not written, and the store stays quiet). */
export function statusChanged(before: UpdateStatus | null, after: UpdateStatus): boolean {
  return JSON.stringify(before) !== JSON.stringify(after);
}
