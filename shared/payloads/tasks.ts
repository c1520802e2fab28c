import { z } from 'zod';
import { epochMs, nodeId, stringMap, wireVersion } from './common.js';
import { boundPort, MAX_TASK_HOSTS, MAX_TASK_PORTS, meshAddress, taskExposedPort, taskHost, taskPort } from './endpoints.js';
import { taskDriver } from './facts.js';
import { healthLog, healthState, serviceHealthcheck } from '../healthcheck.js';
import { materialRefs } from '../secrets/refs.js';
import { containerOptions, deviceMapping, mountSpec } from '../container-options.js';
import { imagePlatforms } from '../image-platform.js';

/** Swarm task states. The manager owns `pending` (not placed yet); agents report the rest. */
export const TASK_STATES = [
  'pending',
  'assigned',
  'preparing',
  'starting',
  'running',
  'complete',
  'failed',
  'shutdown',
  'rejected',
] as const;
export const taskState = z.enum(TASK_STATES);
export type TaskState = z.infer<typeof taskState>;

export const TERMINAL_TASK_STATES: readonly TaskState[] = ['complete', 'failed', 'shutdown', 'rejected'];

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_TASK_STATES.includes(state);
}

/** Everything an agent needs to run one task, independent of the service that made it. */
export const taskSpec = z.object({
  id: z.string().min(1).max(64),
  serviceId: z.string(),
  serviceName: z.string(),
  /** Replica slot (1-based) for replicated services; null for global ones. */
  slot: z.number().int().positive().nullable(),
  driver: taskDriver,
  /** Container image (docker driver only). */
  image: z.string().nullable(),
  /** Docker: overrides CMD. Process: argv, first element the program. */
  command: z.array(z.string()).nullable(),
  entrypoint: z.array(z.string()).nullable(),
  env: stringMap,
  labels: stringMap,
  workdir: z.string().nullable(),
  resources: z.object({
    /** Hard CPU limit in cores (docker NanoCpus / cgroup quota). */
    cpus: z.number().positive().nullable(),
    memoryBytes: z.number().int().positive().nullable(),
    /** GPUs reserved: docker gets an NVIDIA device request for this many. */
    gpus: z.number().int().nonnegative().nullable(),
  }),
  stopGracePeriodMs: z.number().int().nonnegative(),
  /**
   * When set, the agent caps the task's CPU at this many cores (heat policy). Level-triggered:
   * null means run at full speed.
   */
  throttle: z.object({ cpus: z.number().positive() }).nullable(),
  // Fields added after round one are .optional(): agents and managers of either age interoperate.
  // [health]
  /** The service's check, 'none' to disable the image's, absent/null to inherit the image's (docker). */
  healthcheck: serviceHealthcheck.optional(),
  // [ports]
  /** The service's published ports; the agent sets each one's hostPort when it takes the task. */
  ports: z.array(taskPort).max(MAX_TASK_PORTS).optional(),
  /** The service's `expose` ports: host ports bound like published ones, so meshes can forward to them. */
  expose: z.array(taskExposedPort).max(MAX_TASK_PORTS).optional(),
  /** Names the task reaches services by (containers: /etc/hosts; process tasks: KELVIN_HOST_<NAME>); set by the dispatcher. */
  hosts: z.array(taskHost).max(MAX_TASK_HOSTS).optional(),
  // [container]
  devices: z.array(deviceMapping).optional(),
  mounts: z.array(mountSpec).optional(),
  container: containerOptions.optional(),
  // [secrets]
  /** References to the secrets and configs the task needs; the agent fetches the values when it starts the task. */
  secrets: materialRefs.optional(),
  configs: materialRefs.optional(),
});
export type TaskSpec = z.infer<typeof taskSpec>;

/** Manager -> node, retained: the whole set of tasks the node should run, never a delta. */
export const desiredTaskSet = z.object({
  v: wireVersion,
  nodeId,
  /**
   * The manager's incarnation: new at every manager start, so a manager started on a restored
   * (older) database is never mistaken for a stale copy of the one before it. Absent from managers
   * that predate incarnations: then the generation alone decides.
   */
  incarnation: z.string().min(1).max(64).optional(),
  /** Increases with every change within one incarnation; an agent ignores a set older than the one it has applied. */
  generation: z.number().int().nonnegative(),
  tasks: z.array(taskSpec),
  /** The node was removed from the cluster (`kelvin node rm --force`, `kelvin agent leave`): stop everything and stay away. */
  removed: z.boolean().optional(),
});
export type DesiredTaskSet = z.infer<typeof desiredTaskSet>;

/** Node -> manager, on every state change of a task and again for all tasks after reconnecting. */
export const taskStatus = z.object({
  v: wireVersion,
  taskId: z.string().min(1).max(64),
  /** Generation of the desired set the agent was converging on. */
  generation: z.number().int().nonnegative(),
  /** Incarnation of the manager that sent that set (absent from agents that predate incarnations). */
  incarnation: z.string().min(1).max(64).optional(),
  state: taskState,
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  error: z.string().nullable(),
  message: z.string(),
  /** Container id or process id as a string. */
  runtimeId: z.string().nullable(),
  throttled: z.boolean(),
  ts: epochMs,
  startedAt: epochMs.nullable(),
  finishedAt: epochMs.nullable(),
  // Fields added after round one are .optional(), as in taskSpec.
  // [health]
  /** null/absent: the task has no health check. */
  health: healthState.nullable().optional(),
  /** The last results of the check, oldest first (Docker's State.Health.Log). */
  healthLog: healthLog.optional(),
  // [ports]
  /** Where the task's target ports answer: the board's advertise address and the host port of each. */
  addr: meshAddress.optional(),
  ports: z.array(boundPort).max(MAX_TASK_PORTS).optional(),
  // [platforms]
  /** With a rejection because the task's image fits no platform of the board: the platforms the image has. */
  imagePlatforms: imagePlatforms.optional(),
});
export type TaskStatus = z.infer<typeof taskStatus>;
