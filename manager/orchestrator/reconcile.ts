/**
 * One orchestration pass: services -> the tasks that should exist. Replicated services keep one
 * live task per slot 1..N; global services one per eligible node. Ended tasks are replaced per the
 * restart policy (the ended task stays for history, a new task id takes the slot); tasks of a lost
 * node are rescheduled; drained nodes, nodes that stop matching constraints, nodes the heat
 * policy empties move tasks start-new-then-stop-old; rolling updates go at the pace updater.ts
 * sets. Everything one pass writes commits as one transaction.
 * Bulk work (scaling by thousands, removing a big service, pruning history) is done at most
 * `taskBudget` tasks a pass, so one pass never holds the event loop for long; the pass says when
 * it left work for the next one.
 */
import { matchConstraints, parseConstraints, type Constraint } from '../../shared/constraints/index.js';
import { isTerminal } from '../../shared/payloads/tasks.js';
import type { Logger } from '../../shared/logger.js';
import type { UpdateConfig } from '../../shared/service-spec.js';
import { constraintSubject } from '../inventory/node-view.js';
import { missingDevice } from './devices.js';
import { restartGraceMs } from '../inventory/restart-grace.js';
import type { NodeRecord, ServiceRecord, TaskRecord, UpdateStatus } from '../store/records.js';
import type { Store } from '../store/store.js';
import { decideRestart } from './restart-policy.js';
import { allocatePorts } from '../port-allocator.js';
import { isOutdated, newTask } from './task-factory.js';
import { recordTransition } from './update-events.js';
import { planRollout, rollbackPatch, statusChanged, type RolloutDecision } from './updater.js';

/** Ended tasks kept per slot for `service ps` history, as Swarm's task-history-limit. */
export const TASK_HISTORY_LIMIT = 5;

export interface PassContext {
  store: Store;
  now: number;
  nodeTimeoutMs: number;
  /** When this manager started: a node last seen before then gets the restart grace from it. */
  startedAt: number;
  logger: Logger;
  /** Nodes the heat policy is emptying (node id -> reason): their movable replicated tasks move away. */
  evacuating?: ReadonlyMap<string, string>;
  /** Told of each task this pass starts moving, with the replacement that takes its slot. */
  onMove?: (task: TaskRecord, replacement: TaskRecord) => void;
  /** Tasks one pass may create, shut down or forget in bulk; the rest is left to the next pass. */
  taskBudget?: number;
}

/** Earliest future time a pass has work to do (a restart delay, a node timeout), or null. */
export type Deadline = number | null;

export interface PassResult {
  deadline: Deadline;
  /** The task budget ran out: another pass should follow at once. */
  more: boolean;
}

/** Tasks a pass creates or shuts down in bulk: a few tens of milliseconds of writes. */
export const DEFAULT_TASK_BUDGET = 2000;

export function reconcileServices(ctx: PassContext): PassResult {
  const pass = new Pass(ctx);
  const deadline = pass.run();
  return { deadline, more: pass.more };
}

class Pass {
  private readonly nodes: Map<string, NodeRecord>;
  private deadline: Deadline = null;
  private budget: number;
  more = false;

  constructor(private readonly ctx: PassContext) {
    this.nodes = new Map(ctx.store.listNodes().map((n) => [n.id, n]));
    this.budget = ctx.taskBudget ?? DEFAULT_TASK_BUDGET;
  }

  /** Takes one unit of bulk work, or notes that the rest is left for the next pass. */
  private spend(): boolean {
    if (this.budget <= 0) {
      this.more = true;
      return false;
    }
    this.budget -= 1;
    return true;
  }

  run(): Deadline {
    const services = this.ctx.store.listServices();
    const live = new Set(services.map((s) => s.id));
    const active = groupBy(this.ctx.store.listTasks({ desiredState: 'running' }), (t) => t.serviceId);
    for (const service of services) {
      const tasks = active.get(service.id) ?? [];
      const constraints = storedConstraints(service, this.ctx.logger);
      if (constraints === null) continue;
      if (service.spec.mode === 'replicated') this.replicated(service, tasks, constraints);
      else this.global(service, tasks, constraints);
    }
    for (const [serviceId, tasks] of active) {
      if (!live.has(serviceId)) for (const t of tasks) if (this.spend()) this.shutdown(t, 'service removed');
    }
    this.pruneHistory(live);
    return this.deadline;
  }

  // ---- replicated ----

  private replicated(service: ServiceRecord, tasks: TaskRecord[], constraints: Constraint[]): void {
    const remaining = this.rescheduleLost(tasks);
    const slots = groupBy(remaining, (t) => String(t.slot));
    const slotNumbers = [...slots.keys()].map(Number).sort((a, b) => a - b);
    const want = service.spec.replicas;
    // Scale down: the highest slots go first.
    for (const slot of slotNumbers.slice(want).reverse()) {
      if (!this.spend()) break;
      for (const t of slots.get(String(slot)) ?? []) this.shutdown(t, 'service scaled down');
      slots.delete(String(slot));
    }
    // Scale up: fill the lowest free slot numbers.
    for (let slot = 1; slots.size < want; slot++) {
      if (slots.has(String(slot))) continue;
      if (!this.spend()) break;
      const t = newTask(service, slot, null, this.ctx.now);
      this.ctx.store.insertTask(t);
      slots.set(String(slot), [t]);
    }
    const update = this.rollout(service, slots);
    for (const [key, slotTasks] of slots) {
      this.slot(service, slotTasks, constraints, update.start.has(key) ? update.order : null, (successorOf) =>
        newTask(service, successorOf.slot, null, this.ctx.now, successorOf.restartHistory),
      );
    }
  }

  // ---- global ----

  private global(service: ServiceRecord, tasks: TaskRecord[], constraints: Constraint[]): void {
    const byNode = groupBy(tasks, (t) => t.nodeId ?? '');
    for (const [nodeId, nodeTasks] of byNode) {
      const node = this.nodes.get(nodeId);
      const lost = this.lostReason(node, nodeId);
      const unfit = node ? this.unfitReason(node, service, constraints) : null;
      if (lost !== null || (unfit !== null && node?.status === 'ready')) {
        for (const t of nodeTasks) this.shutdown(t, lost ?? unfit ?? '', lost !== null);
        byNode.delete(nodeId);
      }
    }
    for (const node of this.nodes.values()) {
      if (byNode.has(node.id) || node.status !== 'ready' || node.availability !== 'active' || this.unfitReason(node, service, constraints) !== null) continue;
      const t = newTask(service, null, node.id, this.ctx.now);
      this.ctx.store.insertTask(t);
      byNode.set(node.id, [t]);
    }
    const update = this.rollout(service, byNode);
    for (const [key, nodeTasks] of byNode) {
      // A global task cannot move to another node: its node either fits (kept) or not (shut down above).
      this.slot(service, nodeTasks, [], update.start.has(key) ? update.order : null, (successorOf) =>
        newTask(service, null, successorOf.nodeId, this.ctx.now, successorOf.restartHistory),
      );
    }
  }

  // ---- one slot (a replica slot, or a global service's node) ----

  /**
   * Live tasks of one slot, oldest first. More than one means a replacement is under way: the
   * newest is the successor, the older ones stop once it runs (and is healthy, when it has a check).
   * `update`: the rollout lets this slot be replaced now, in this order.
   */
  private slot(
    service: ServiceRecord,
    tasks: TaskRecord[],
    constraints: Constraint[],
    update: UpdateConfig['order'] | null,
    successor: (of: TaskRecord) => TaskRecord,
  ): void {
    const newest = tasks[tasks.length - 1];
    if (!newest) return;
    const older = tasks.slice(0, -1);
    if (isTerminal(newest.state)) {
      for (const t of older) if (isTerminal(t.state)) this.shutdown(t, 'ended during replacement');
      // A rollout replacing an ended task of an older spec starts the new one now, not after the restart delay.
      this.restart(service, newest, successor, update !== null && isOutdated(newest, service));
      return;
    }
    if (older.length > 0) {
      if (newest.state === 'running' && newest.health !== 'starting' && newest.health !== 'unhealthy') {
        for (const t of older) this.shutdown(t, `replaced by task ${newest.id}`);
      } else {
        for (const t of older) if (isTerminal(t.state)) this.shutdown(t, 'ended during replacement');
        const stillNeeded = older.some((t) => !isTerminal(t.state) && (this.moveReason(t, service, constraints) !== null || isOutdated(t, service)));
        if (newest.state === 'pending' && !stillNeeded) this.shutdown(newest, 'replacement no longer needed');
      }
      return;
    }
    if (newest.state === 'pending') {
      if (isOutdated(newest, service)) {
        this.shutdown(newest, 'service updated before placement');
        this.ctx.store.insertTask(successor(newest));
      }
      return;
    }
    const move = this.moveReason(newest, service, constraints);
    if (move !== null) {
      const next = successor(newest);
      this.ctx.store.insertTask(next);
      this.ctx.store.updateTask(newest.id, { message: `${move}: moving to task ${next.id}` });
      this.ctx.store.addEvent('task.move', newest.id, `task ${newest.id} of ${service.name} moves off node ${newest.nodeId}: ${move}`, {
        serviceId: service.id,
        nodeId: newest.nodeId,
        replacement: next.id,
      });
      this.ctx.onMove?.(newest, next);
      return;
    }
    if (update !== null && isOutdated(newest, service)) {
      const next = { ...successor(newest), restartHistory: [] };
      if (update === 'stop-first') this.shutdown(newest, 'service updated');
      else this.ctx.store.updateTask(newest.id, { message: `service updated: replacing with task ${next.id}` });
      this.ctx.store.insertTask(next);
    }
  }

  private restart(service: ServiceRecord, ended: TaskRecord, successor: (of: TaskRecord) => TaskRecord, now = false): void {
    const decision = decideRestart(ended, service.spec.restartPolicy, this.ctx.now);
    if (!decision.restart) return; // the ended task keeps the slot: nothing more runs there
    if (decision.at > this.ctx.now && !now) {
      this.later(decision.at);
      return;
    }
    this.ctx.store.updateTask(ended.id, { desiredState: 'shutdown', restarted: true });
    const next = { ...successor(ended), restartHistory: decision.history };
    this.ctx.store.insertTask(next);
    this.ctx.store.addEvent('task.restart', ended.id, `task ${ended.id} of ${service.name} ended (${ended.state}); restarted as ${next.id}`, {
      serviceId: service.id,
      replacement: next.id,
      exitCode: ended.exitCode,
    });
  }

  /** The rolling update's say over this pass (see updater.ts): which slots it replaces now; its status is stored here. */
  private rollout(service: ServiceRecord, slots: ReadonlyMap<string, readonly TaskRecord[]>): RolloutDecision {
    const { store, now } = this.ctx;
    const decision = planRollout({ service, slots, now, history: () => store.listTasks({ serviceId: service.id }) });
    if (decision.wakeAt !== null) this.later(decision.wakeAt);
    if (decision.rollback !== null) {
      const patch = rollbackPatch(service, now, decision.rollback);
      // Another service may have taken a port of the previous spec since the update: no rollback
      // onto it (two services on one ingress port); the update pauses and says why instead.
      const others = store.listServices().filter((s) => s.id !== service.id).map((s) => s.spec);
      const ports = patch ? allocatePorts(patch.spec, service.spec, others) : null;
      if (patch && ports?.ok) {
        store.updateService(service.id, patch);
        recordTransition(store, service, patch.updateStatus);
      } else if (ports && !ports.ok && decision.status) {
        const paused: UpdateStatus = { ...decision.status, state: 'paused', completedAt: now, message: `update paused: cannot roll back: service ${service.name}: ${ports.error}` };
        store.updateService(service.id, { updateStatus: paused });
        recordTransition(store, service, paused);
      }
      return { ...decision, start: new Set() };
    }
    if (decision.status !== null && statusChanged(service.updateStatus, decision.status)) {
      store.updateService(service.id, { updateStatus: decision.status });
      if (decision.transition) recordTransition(store, service, decision.status);
    }
    return decision;
  }

  // ---- nodes ----

  /** Shuts down (and so frees the slot of) every task whose node is lost; returns the rest. */
  private rescheduleLost(tasks: TaskRecord[]): TaskRecord[] {
    return tasks.filter((t) => {
      if (t.nodeId === null || isTerminal(t.state)) return true;
      const reason = this.lostReason(this.nodes.get(t.nodeId), t.nodeId);
      if (reason === null) return true;
      this.shutdown(t, reason, true);
      this.ctx.store.addEvent('task.reschedule', t.id, `task ${t.id} of ${t.serviceName} rescheduled: ${reason}`, { nodeId: t.nodeId });
      return false;
    });
  }

  /**
   * Why tasks on this node count as lost, or null. A down node gets the node timeout since it was
   * last heard, and one not seen since this manager started also the restart grace.
   */
  private lostReason(node: NodeRecord | undefined, nodeId: string): string | null {
    if (!node) return `node ${nodeId} was removed`;
    if (node.status !== 'down') return null;
    const lastSeenAt = node.lastSeenAt ?? 0;
    const { startedAt, nodeTimeoutMs } = this.ctx;
    const lostAt = Math.max(lastSeenAt + nodeTimeoutMs, lastSeenAt < startedAt ? startedAt + restartGraceMs(nodeTimeoutMs) : 0);
    if (lostAt > this.ctx.now) {
      this.later(lostAt);
      return null;
    }
    return `node ${node.hostname} is down (${node.statusMessage})`;
  }

  /** Why a node may not run the service (drained, constraints, driver), or null. */
  private unfitReason(node: NodeRecord, service: ServiceRecord, constraints: Constraint[]): string | null {
    if (node.availability === 'drain') return `node ${node.hostname} is drained`;
    if (node.membership !== 'accepted') return `node ${node.hostname} waits for approval (kelvin node accept)`;
    const subject = constraintSubject(node);
    if (!subject || !node.facts) return `node ${node.hostname} has not reported its facts`;
    const failed = matchConstraints(constraints, subject);
    if (failed) return `node ${node.hostname} no longer satisfies ${failed.text}`;
    const missing = missingDevice(service.spec, subject);
    if (missing !== null) return `node ${node.hostname} no longer has ${missing}`;
    if (!node.facts.drivers.includes(service.spec.driver)) return `node ${node.hostname} cannot run ${service.spec.driver} tasks`;
    return null;
  }

  /** Why a placed replicated task must move to another node, or null. Only ready nodes are judged. */
  private moveReason(task: TaskRecord, service: ServiceRecord, constraints: Constraint[]): string | null {
    if (task.nodeId === null || task.state === 'pending' || isTerminal(task.state)) return null;
    const node = this.nodes.get(task.nodeId);
    if (!node || node.status !== 'ready') return null;
    if (service.spec.mode === 'global') return null;
    return this.unfitReason(node, service, constraints) ?? this.heatReason(node, service);
  }

  /** The heat policy empties the node, and the service lets its tasks move (x-kelvin thermal.movable). */
  private heatReason(node: NodeRecord, service: ServiceRecord): string | null {
    const reason = this.ctx.evacuating?.get(node.id);
    return reason !== undefined && service.spec.thermal.movable ? reason : null;
  }

  // ---- helpers ----

  /** Desired shutdown. A task no agent will report on again (never placed, or its node lost) is closed here. */
  private shutdown(task: TaskRecord, message: string, nodeLost = false): void {
    const closeNow = task.state === 'pending' || (nodeLost && !isTerminal(task.state));
    this.ctx.store.updateTask(task.id, {
      desiredState: 'shutdown',
      message,
      ...(closeNow ? { state: 'shutdown' as const, finishedAt: task.finishedAt ?? this.ctx.now } : {}),
    });
  }

  private later(at: number): void {
    this.deadline = this.deadline === null ? at : Math.min(this.deadline, at);
  }

  /** Keeps the newest TASK_HISTORY_LIMIT finished tasks per slot; forgets finished tasks of removed services. */
  private pruneHistory(liveServices: Set<string>): void {
    const finished = this.ctx.store.listTasks({ desiredState: 'shutdown' }).filter((t) => isTerminal(t.state));
    const bySlot = groupBy(finished, (t) => `${t.serviceId}|${t.slot ?? t.nodeId ?? ''}`);
    for (const tasks of bySlot.values()) {
      const drop = liveServices.has(tasks[0]?.serviceId ?? '') ? tasks.slice(0, -TASK_HISTORY_LIMIT) : tasks;
      for (const t of drop) if (this.spend()) this.ctx.store.deleteTask(t.id);
    }
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/**
 * Constraints were validated at create; one that no longer parses (a stricter parser after an
 * upgrade) fails closed: the service is left alone rather than placed without its constraint.
 */
export function storedConstraints(service: ServiceRecord, logger: Logger): Constraint[] | null {
  try {
    return parseConstraints(service.spec.placement.constraints);
  } catch (err) {
    logger.error({ service: service.name, err: (err as Error).message }, 'stored constraints do not parse; service not reconciled');
    return null;
  }
}
