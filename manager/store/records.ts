/** The shapes the store hands out. Plain data: safe to serialise for the HTTP API. */
import type { NodeFacts } from '../../shared/payloads/facts.js';
import type { TaskSpec, TaskState } from '../../shared/payloads/tasks.js';
import type { ServiceSpec } from '../../shared/service-spec.js';
import type { HealthResult, HealthState } from '../../shared/healthcheck.js';

export type NodeRole = 'manager' | 'worker';
export type NodeAvailability = 'active' | 'pause' | 'drain';
export type NodeReadiness = 'ready' | 'down';
/** `pending`: joined under `kelvin manager --require-approval`, waiting for `kelvin node accept`; never scheduled onto. */
export type NodeMembership = 'pending' | 'accepted';

export interface ClusterRecord {
  id: string;
  joinToken: string;
  /** sha256 of the admin API token; the token itself lives only in `<dataDir>/admin.token`. */
  adminTokenHash: string;
  /** Password of the manager's MQTT user on an external broker (kept so broker-config stays valid). */
  brokerSecret: string;
  createdAt: number;
}

export interface NodeRecord {
  id: string;
  hostname: string;
  role: NodeRole;
  /**
   * Id of the node that holds the hostname this one reports (it claimed it first); null when the
   * name is this node's. A conflicted node never matches `node.hostname` constraints.
   */
  hostnameConflict: string | null;
  /** Last facts the agent reported; null until the first facts message. */
  facts: NodeFacts | null;
  /** Labels set by the manager (`kelvin node update --label-add`); they win over facts.labels. */
  labels: Record<string, string>;
  availability: NodeAvailability;
  membership: NodeMembership;
  status: NodeReadiness;
  /** Why the node is down (will message, timeout, clean shutdown); '' when ready. */
  statusMessage: string;
  bootId: string | null;
  /** Last time the manager heard from the node, as of the latest status change (telemetry stays in memory). */
  lastSeenAt: number | null;
  /** Thermal limits set with `kelvin node update --thermal-*`; an absent field keeps the profile's. */
  thermalOverrides: ThermalOverrides;
  createdAt: number;
  updatedAt: number;
}

export interface ThermalOverrides {
  warnC?: number;
  throttleC?: number;
  criticalC?: number;
  /** `--thermal-ambient-*`: limits on the board's warmest ambient sensor; unset = ambient not judged. */
  ambientWarnC?: number;
  ambientThrottleC?: number;
  ambientCriticalC?: number;
}

/** Credentials bound to a node on first join; kept apart from NodeRecord so they never reach API output. */
export interface NodeCredentialRecord {
  /** `sha256:<hex>` of the node's secret. */
  secretHash: string;
  /** The node's full MQTT password hashed in Mosquitto's PBKDF2 format, for external broker configs. */
  mosquittoHash: string | null;
}

export interface ServiceRecord {
  id: string;
  name: string;
  spec: ServiceSpec;
  /** Increments on every change of the service. */
  version: number;
  /** Bumped by `service update --force`: every task is replaced. */
  forceUpdate: number;
  /** The spec before the last update: what `kelvin service rollback` returns to (null: never updated). */
  previousSpec: ServiceSpec | null;
  /** The latest rolling update or rollback and how far it got; null when none ran (see orchestrator/updater.ts). */
  updateStatus: UpdateStatus | null;
  /** The virtual address the service is reached at by name (manager/vip-allocator.ts); null only until assigned. */
  vip: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Swarm's UpdateStatus states. */
export const UPDATE_STATES = ['updating', 'paused', 'completed', 'rollback_started', 'rollback_paused', 'rollback_completed'] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];

/** A rolling update (or rollback) in the store, so a restarted manager resumes it where it was. */
export interface UpdateStatus {
  state: UpdateState;
  /** The service version this rollout brings the tasks to. */
  version: number;
  startedAt: number;
  /** When it completed or paused; null while it runs. */
  completedAt: number | null;
  message: string;
  /** Slots (replica numbers, or node ids of a global service) that needed a new task when it started. */
  total: number;
  /** Slots of the batch under way: the next batch waits until each has passed its monitor window. */
  batch: string[];
  /** Earliest time the next batch may start (the update delay after the last batch). */
  nextBatchAt: number;
  /** Tasks of this rollout that failed within the monitor window, counted once each. */
  failures: number;
  /** Ids of the counted tasks still in the store (so none is counted twice). */
  failedTasks: string[];
}

export type DesiredTaskState = 'running' | 'shutdown';

export interface TaskRecord {
  id: string;
  serviceId: string;
  serviceName: string;
  /** Replica slot of a replicated service; null for a global service's task. */
  slot: number | null;
  /** Node the task is placed on; a pending global task already names its node. */
  nodeId: string | null;
  desiredState: DesiredTaskState;
  state: TaskState;
  error: string | null;
  message: string;
  exitCode: number | null;
  /** What the agent runs, as built from the service spec when the task was made. */
  spec: TaskSpec;
  serviceVersion: number;
  /** Service forceUpdate counter when the task was made. */
  forceUpdate: number;
  /** Times of earlier restarts of this slot (current service version), for max attempts within a window. */
  restartHistory: number[];
  /** True when the task ended and the restart policy replaced it. */
  restarted: boolean;
  runtimeId: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  // [health]
  /** null: the task has no health check (or none reported yet). */
  health: HealthState | null;
  /** The check's last results as the agent reported them, oldest first. */
  healthLog: HealthResult[];
}

export interface EventRecord {
  id: number;
  at: number;
  /** Dotted kind: node.ready, node.down, service.create, task.moved, ... */
  kind: string;
  /** What it is about: a node id, service name or task id. */
  subject: string;
  message: string;
  details: Record<string, unknown>;
}

export interface DesiredSetRecord {
  nodeId: string;
  generation: number;
  /** Hash of the set's content, so a restart republishes an unchanged set under the same generation. */
  digest: string;
}

/** One committed change; `before`/`after` are null for creations/deletions. */
export type Change =
  | { kind: 'cluster'; op: 'update'; id: string; before: ClusterRecord | null; after: ClusterRecord }
  | { kind: 'node'; op: ChangeOp; id: string; before: NodeRecord | null; after: NodeRecord | null }
  | { kind: 'service'; op: ChangeOp; id: string; before: ServiceRecord | null; after: ServiceRecord | null }
  | { kind: 'task'; op: ChangeOp; id: string; before: TaskRecord | null; after: TaskRecord | null }
  | { kind: 'event'; op: 'create'; id: string; before: null; after: EventRecord };

export type ChangeOp = 'create' | 'update' | 'delete';
