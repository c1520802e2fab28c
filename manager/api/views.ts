/**
 * What the API returns for nodes, services and tasks. The first fields of NodeView and TaskView
 * are fixed for scripts (`kelvin node ls --json`); the rest may grow. Secrets never appear here.
 */
import type { Alert } from '../../shared/payloads/alert.js';
import type { NodeFacts } from '../../shared/payloads/facts.js';
import { isTerminal, type TaskState } from '../../shared/payloads/tasks.js';
import type { Telemetry } from '../../shared/payloads/telemetry.js';
import type { ServiceSpec } from '../../shared/service-spec.js';
import { nodeLabels } from '../inventory/node-view.js';
import type { NodePolicyView } from '../policy/index.js';
import type { EventRecord, NodeRecord, ServiceRecord, TaskRecord, UpdateStatus } from '../store/records.js';

export interface NodeView {
  id: string;
  hostname: string;
  role: NodeRecord['role'];
  status: NodeRecord['status'];
  availability: NodeRecord['availability'];
  /** `pending` until `kelvin node accept` when the manager runs with --require-approval. */
  membership: NodeRecord['membership'];
  /** What constraints see as node.labels: hardware labels overlaid by manager-set ones. */
  labels: Record<string, string>;
  platform: { os: string; arch: string } | null;
  board: NodeFacts['board'] | null;
  telemetry: Telemetry | null;
  /** Tasks the node is meant to be running now. */
  tasks: number;
  statusMessage: string;
  /** Labels set with `node update --label-add` (the ones `--label-rm` can remove). */
  managerLabels: Record<string, string>;
  engineLabels: Record<string, string>;
  resources: { cpus: number; memoryBytes: number; gpus: NodeFacts['gpus'] } | null;
  drivers: NodeFacts['drivers'];
  agentVersion: string | null;
  lastSeenAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** Heat: thermal state, CPU temperature, effective limits (profile overlaid by `--thermal-*` overrides). */
  thermal: NodePolicyView['thermal'];
  /** Power: stable or unstable (under-voltage), the latest reading, brownouts seen. */
  power: NodePolicyView['power'];
  /** Limits set with `node update --thermal-*`; the rest come from the board's profile. */
  thermalOverrides: NodeRecord['thermalOverrides'];
  /** Why the node takes no new work now (too hot, power unstable, flapping); null when it does. */
  refusal: string | null;
  /** Flapping: kept out of placement until the quarantine ends. */
  quarantined: boolean;
  /** Id of the node that holds the hostname this one reports; null when the name is this node's. */
  hostnameConflict: string | null;
}

export interface TaskView {
  id: string;
  service: string;
  slot: number | null;
  nodeId: string | null;
  state: TaskState;
  desiredState: TaskRecord['desiredState'];
  error: string | null;
  message: string;
  updatedAt: number;
  serviceId: string;
  exitCode: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** starting, healthy or unhealthy; null when the task has no health check. */
  health: TaskRecord['health'];
  /** The health check's last results, oldest first. */
  healthLog: TaskRecord['healthLog'];
  /** Container id (docker) or process id (process) on its board, once started, as `docker inspect` gives a task's container. */
  runtimeId: string | null;
  /** Version of the service spec the task was made from (a rolling update moves it forward). */
  serviceVersion: number;
}

export interface ServiceView {
  id: string;
  name: string;
  mode: ServiceSpec['mode'];
  /** Desired replicas (replicated) or eligible nodes (global: the tasks meant to run). */
  desired: number;
  running: number;
  stack: string | null;
  spec: ServiceSpec;
  version: number;
  createdAt: number;
  updatedAt: number;
  /** The spec `kelvin service rollback` returns to; null when never updated. */
  previousSpec: ServiceSpec | null;
  /** The latest rolling update or rollback (Swarm's UpdateStatus); null when none ran. */
  updateStatus: UpdateStatusView | null;
  /** The address tasks reach the service at by name (Swarm's Endpoint.VirtualIPs); null only before a start assigned it. */
  vip: string | null;
}

/** What a rolling update shows: its state, when, why, and how far it got (the stored record minus its bookkeeping). */
export type UpdateStatusView = Omit<UpdateStatus, 'batch' | 'nextBatchAt' | 'failedTasks'>;

export type EventView = EventRecord;

export type AlertView = Alert;

export interface JoinTokenView {
  token: string;
  /** `mqtt://host:port` boards should connect to. */
  brokerUrl: string;
  /** Ids removed by `join-token --rotate --prune` (nodes that never became ready); only on a rotation. */
  pruned?: string[];
}

export interface StackView {
  name: string;
  services: number;
}

/** What a stack deploy did, by service name. */
export interface StackDeployResult {
  created: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
  /** In the stack but not in the file, left running because the deploy had no `--prune`. */
  kept: string[];
}

/** A task counts toward its node and service while it is meant to run and has not ended. */
export function isActiveTask(task: TaskRecord): boolean {
  return task.desiredState === 'running' && !isTerminal(task.state);
}

export function nodeView(node: NodeRecord, telemetry: Telemetry | null, tasks: TaskRecord[], policy: NodePolicyView): NodeView {
  const f = node.facts;
  return {
    id: node.id,
    hostname: node.hostname,
    role: node.role,
    status: node.status,
    availability: node.availability,
    membership: node.membership,
    labels: nodeLabels(node),
    platform: f ? { os: f.os, arch: f.arch } : null,
    board: f ? f.board : null,
    telemetry,
    tasks: tasks.filter((t) => t.nodeId === node.id && isActiveTask(t)).length,
    statusMessage: node.statusMessage,
    managerLabels: { ...node.labels },
    engineLabels: { ...(f?.engineLabels ?? {}) },
    resources: f ? { cpus: f.cpu.cores, memoryBytes: f.memoryBytes, gpus: f.gpus } : null,
    drivers: f?.drivers ?? [],
    agentVersion: f?.agentVersion ?? null,
    lastSeenAt: node.lastSeenAt,
    createdAt: node.createdAt,
    updatedAt: node.updatedAt,
    thermal: policy.thermal,
    power: policy.power,
    thermalOverrides: { ...node.thermalOverrides },
    refusal: policy.refusal,
    quarantined: policy.quarantined,
    hostnameConflict: node.hostnameConflict,
  };
}

export function taskView(task: TaskRecord): TaskView {
  return {
    id: task.id,
    service: task.serviceName,
    slot: task.slot,
    nodeId: task.nodeId,
    state: task.state,
    desiredState: task.desiredState,
    error: task.error,
    message: task.message,
    updatedAt: task.updatedAt,
    serviceId: task.serviceId,
    exitCode: task.exitCode,
    createdAt: task.createdAt,
    startedAt: task.startedAt,
    finishedAt: task.finishedAt,
    health: task.health,
    healthLog: task.healthLog,
    runtimeId: task.runtimeId,
    serviceVersion: task.serviceVersion,
  };
}

export function serviceView(service: ServiceRecord, tasks: TaskRecord[]): ServiceView {
  const own = tasks.filter((t) => t.serviceId === service.id && t.desiredState === 'running');
  return {
    id: service.id,
    name: service.name,
    mode: service.spec.mode,
    desired: service.spec.mode === 'global' ? own.filter((t) => !isTerminal(t.state)).length : service.spec.replicas,
    running: own.filter((t) => t.state === 'running').length,
    stack: service.spec.stack,
    spec: service.spec,
    version: service.version,
    createdAt: service.createdAt,
    updatedAt: service.updatedAt,
    previousSpec: service.previousSpec,
    updateStatus: updateStatusView(service.updateStatus),
    vip: service.vip,
  };
}

function updateStatusView(s: UpdateStatus | null): UpdateStatusView | null {
  if (s === null) return null;
  return { state: s.state, version: s.version, startedAt: s.startedAt, completedAt: s.completedAt, message: s.message, total: s.total, failures: s.failures };
}
