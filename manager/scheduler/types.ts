/**
 * The scheduler's inputs and outputs. The orchestrator builds them from the store; the scheduler only
 * decides *where* each task runs and never reads or writes state itself.
 */
import type { Constraint } from '../../shared/constraints/index.js';
import type { ConstraintSubject } from '../../shared/constraints/subject.js';
import type { TaskDriver } from '../../shared/payloads/facts.js';
import type { ImagePlatform } from '../../shared/image-platform.js';

export interface Resources {
  /** CPU cores (fractions allowed, counted to a thousandth of a core). */
  cpus: number;
  memoryBytes: number;
  gpus: number;
}

/** One node as the scheduler sees it. Never modified by the scheduler. */
export interface SchedulableNode {
  /** id, hostname, role, platform, labels (manager-set over agent-reported), engineLabels, hw. */
  subject: ConstraintSubject;
  /** The agent is connected and reporting. */
  ready: boolean;
  /** Only `active` nodes take new work; `pause` keeps running tasks, `drain` moves them away. */
  availability: 'active' | 'pause' | 'drain';
  /** Task drivers the agent can run now. */
  drivers: TaskDriver[];
  /** What the node has in total. */
  capacity: Resources;
  /** Reservations of the tasks already assigned to the node. */
  reserved: Resources;
  /** Active tasks per service id on this node. */
  tasksByService: Map<string, number>;
  /** Active tasks of all services on this node. */
  totalTasks: number;
  /** 1-minute load average; null when the node has not reported one. */
  load1: number | null;
  /** Bytes its desired set's tasks take (desiredSetEntryBytes each); absent = 0. */
  desiredSetBytes?: number;
  /** Host-mode ports (`9100/tcp`) its tasks publish; absent = none. */
  usedHostPorts?: ReadonlySet<string>;
}

/**
 * An OS/architecture pair an image is built for (Swarm's `placement.platforms`); names Go or
 * `uname -m` style (`arm64` equals `aarch64`), empty ones match anything.
 */
export type Platform = ImagePlatform;

/** One task that needs a node. Requests of the same service share all fields but `taskId`. */
export interface PlacementRequest {
  taskId: string;
  serviceId: string;
  serviceName: string;
  driver: TaskDriver;
  /** Parsed already (shared/constraints); a node must satisfy all of them. */
  constraints: Constraint[];
  /** Placement preferences, outermost first: descriptors like `node.labels.zone` (see spread.ts). */
  spread: string[];
  /** 0 = unlimited. */
  maxReplicasPerNode: number;
  /** Subtracted from a node's free capacity once placed; all zero = no resource check. */
  reservations: Resources;
  /** Platforms the task's image supports; absent or empty = any platform. */
  platforms?: Platform[];
  /** What the task adds to its node's desired set (desiredSetEntryBytes); absent or 0 = not checked. */
  specBytes?: number;
  /** Host devices (/dev paths) the node must have; absent or empty = none. */
  devices?: string[];
  /** Host-mode ports (`9100/tcp`) the task publishes on its board: no two such tasks share a node. */
  hostPorts?: string[];
}

/** The heat and power policy plugs in here. Both methods are asked at most once per node per call. */
export interface PlacementPolicy {
  /** Human reason when the node must get no new work now (e.g. 'node too hot: 78.2 C >= 75 C'), else null. */
  refuse(node: SchedulableNode): string | null;
  /** >= 0; higher = less preferred (e.g. a warm node). */
  penalty(node: SchedulableNode): number;
}

export interface ScheduleResult {
  /** taskId -> nodeId */
  placements: Map<string, string>;
  /** taskId -> human reason, e.g. `no suitable node (3 nodes failed node.labels.gpu==true)` */
  pending: Map<string, string>;
}
