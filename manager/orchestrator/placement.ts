/**
 * Hands pending tasks to the scheduler and stores its answer: a placement (state `assigned`, node
 * id) or the human reason the task stays pending. A global task already names its node, so it is
 * scheduled against that node alone.
 */
import type { Logger } from '../../shared/logger.js';
import { isTerminal } from '../../shared/payloads/tasks.js';
import { MAX_CLUSTER_TASKS } from '../../shared/limits.js';
import { desiredSetEntryBytes } from '../../shared/wire.js';
import { hostPortKeys } from '../../shared/port-list.js';
import { schedulableNode, type PlacedTask } from '../inventory/node-view.js';
import { scheduleTasks } from '../scheduler/index.js';
import type { PlacementPolicy, PlacementRequest, SchedulableNode } from '../scheduler/types.js';
import type { ServiceRecord, TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { DEFAULT_TASK_BUDGET, storedConstraints } from './reconcile.js';
import { reservationsOf } from './task-factory.js';

/** What one placement round did: tasks it found pending and how many of them it placed. */
export interface PlacementRound {
  pending: number;
  placed: number;
  /** Writes were left for the next round (more than `writeBudget` tasks changed). */
  more: boolean;
}

/**
 * Every pending task is scheduled each round (so none starves behind a big service), but at most
 * `writeBudget` answers are stored; the rest are worked out again by the next round, which sees
 * the stored placements.
 */
export function placePendingTasks(store: Store, logger: Logger, policy?: PlacementPolicy, writeBudget = DEFAULT_TASK_BUDGET): PlacementRound {
  const active = store.listTasks({ desiredState: 'running' });
  const pending = active.filter((t) => t.state === 'pending');
  if (pending.length === 0) return { pending: 0, placed: 0, more: false };
  const services = new Map(store.listServices().map((s) => [s.id, s]));
  // Measured once per service version, not once per task (a service may have 100,000).
  const versionOf = (t: TaskRecord): string => `${t.serviceId}|${t.serviceVersion}|${t.forceUpdate}`;
  const specBytesOf = memo((task: TaskRecord) => desiredSetEntryBytes({ ...task.spec, slot: MAX_CLUSTER_TASKS }), versionOf);
  const hostPortsOf = memo((task: TaskRecord) => hostPortKeys(services.get(task.serviceId)?.spec.ports ?? []), (t) => t.serviceId);
  const nodes = buildNodes(store, active, services, specBytesOf, hostPortsOf);
  // What boards reported about images they rejected for their platform (the dispatcher stores it).
  const imagePlatforms = store.imagePlatforms();

  // One request per service version, shared by its tasks but for the id: the scheduler then
  // groups them by identity instead of comparing 100,000 keys.
  const templateOf = memo((task: TaskRecord): Omit<PlacementRequest, 'taskId'> | null => {
    const service = services.get(task.serviceId);
    const constraints = service ? storedConstraints(service, logger) : null;
    if (!service || constraints === null) return null;
    return {
      serviceId: service.id,
      serviceName: service.name,
      driver: service.spec.driver,
      constraints,
      spread: service.spec.placement.preferences.map((p) => p.spread),
      maxReplicasPerNode: service.spec.placement.maxReplicasPerNode,
      reservations: reservationsOf(service),
      specBytes: specBytesOf(task),
      devices: service.spec.devices.map((d) => d.host),
      platforms: (service.spec.driver === 'docker' && service.spec.image !== null ? imagePlatforms.get(service.spec.image) : undefined) ?? [],
      hostPorts: hostPortsOf(task),
    };
  }, versionOf);
  const requests = new Map<string, PlacementRequest>();
  const requestsFor = new Map<string, PlacementRequest[]>(); // '' = any node
  for (const task of pending) {
    const template = templateOf(task);
    if (template === null) continue;
    const req: PlacementRequest = { ...template, taskId: task.id };
    requests.set(task.id, req);
    pushTo(requestsFor, task.nodeId ?? '', req);
  }

  const outcome = { placements: new Map<string, string>(), pending: new Map<string, string>() };
  // Node-bound (global) tasks first; what they take is then reserved for the rest.
  for (const [nodeId, reqs] of requestsFor) {
    if (nodeId === '') continue;
    const node = nodes.get(nodeId);
    if (!node) {
      for (const r of reqs) outcome.pending.set(r.taskId, `node ${nodeId} has not reported its facts`);
      continue;
    }
    merge(outcome, scheduleTasks(reqs, [node], policy));
  }
  for (const [taskId, nodeId] of outcome.placements) {
    const req = requests.get(taskId);
    const node = nodes.get(nodeId);
    if (req && node) nodes.set(nodeId, withTask(node, req));
  }
  const anyNode = requestsFor.get('');
  if (anyNode) merge(outcome, scheduleTasks(anyNode, [...nodes.values()], policy));

  const messages = new Map(pending.map((t) => [t.id, t.message]));
  let writes = 0;
  let placed = 0;
  store.transaction(() => {
    for (const [taskId, nodeId] of outcome.placements) {
      if (writes++ >= writeBudget) return;
      store.updateTask(taskId, { state: 'assigned', nodeId, message: '' });
      placed++;
    }
    for (const [taskId, reason] of outcome.pending) {
      if (messages.get(taskId) === reason) continue; // unchanged: no read-compare-write per task
      if (writes++ >= writeBudget) return;
      store.updateTask(taskId, { message: reason });
    }
  });
  return { pending: pending.length, placed, more: writes > writeBudget };
}

function buildNodes(
  store: Store,
  active: TaskRecord[],
  services: Map<string, ServiceRecord>,
  specBytesOf: (task: TaskRecord) => number,
  hostPortsOf: (task: TaskRecord) => string[],
): Map<string, SchedulableNode> {
  const placed = new Map<string, PlacedTask[]>();
  for (const t of active) {
    if (t.nodeId === null || t.state === 'pending' || isTerminal(t.state)) continue;
    const service = services.get(t.serviceId);
    const entry: PlacedTask = {
      serviceId: t.serviceId,
      reservations: service ? reservationsOf(service) : { cpus: 0, memoryBytes: 0, gpus: 0 },
      specBytes: specBytesOf(t),
      hostPorts: hostPortsOf(t),
    };
    pushTo(placed, t.nodeId, entry);
  }
  const out = new Map<string, SchedulableNode>();
  for (const node of store.listNodes()) {
    const view = schedulableNode(node, placed.get(node.id) ?? [], store.getTelemetry(node.id));
    if (view) out.set(node.id, view);
  }
  return out;
}

function withTask(node: SchedulableNode, req: PlacementRequest): SchedulableNode {
  const tasksByService = new Map(node.tasksByService);
  tasksByService.set(req.serviceId, (tasksByService.get(req.serviceId) ?? 0) + 1);
  return {
    ...node,
    reserved: {
      cpus: node.reserved.cpus + req.reservations.cpus,
      memoryBytes: node.reserved.memoryBytes + req.reservations.memoryBytes,
      gpus: node.reserved.gpus + req.reservations.gpus,
    },
    tasksByService,
    totalTasks: node.totalTasks + 1,
    desiredSetBytes: (node.desiredSetBytes ?? 0) + (req.specBytes ?? 0),
    usedHostPorts: req.hostPorts?.length ? new Set([...(node.usedHostPorts ?? []), ...req.hostPorts]) : node.usedHostPorts,
  };
}

function merge(into: { placements: Map<string, string>; pending: Map<string, string> }, from: { placements: Map<string, string>; pending: Map<string, string> }): void {
  for (const [k, v] of from.placements) into.placements.set(k, v);
  for (const [k, v] of from.pending) into.pending.set(k, v);
}

function memo<T, R>(fn: (item: T) => R, key: (item: T) => string): (item: T) => R {
  const cache = new Map<string, R>();
  return (item) => {
    const k = key(item);
    if (!cache.has(k)) cache.set(k, fn(item));
    return cache.get(k) as R;
  };
}

/** Appends in place: copying the list on every task made a round quadratic in the tasks (minutes at 100,000). */
function pushTo<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}
