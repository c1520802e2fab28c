/**
 * The task runtime contract (swarmkit's executor/controller split). An Executor describes what a
 * driver can run on this node and makes one Controller per task; the Controller takes that task
 * through prepare -> start -> wait -> stop -> remove. The reconciler only talks to these types.
 */
import type { LogLine } from '../../shared/payloads/logs.js';
import type { TaskDriver } from '../../shared/payloads/facts.js';
import type { TaskSpec } from '../../shared/payloads/tasks.js';
import type { TaskExposedPort } from '../../shared/payloads/endpoints.js';
import type { HealthMonitor } from './health/types.js';
import type { ImagePlatform } from '../../shared/image-platform.js';

/** Temporary errors are retried by the reconciler (engine restarting); permanent ones fail the task. */
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly kind: 'temporary' | 'permanent',
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** The task's image is built for no platform this board runs: permanent, and the platforms go into the task's status. */
export class ImagePlatformError extends RuntimeError {
  constructor(
    message: string,
    readonly platforms: ImagePlatform[],
  ) {
    super(message, 'permanent');
    this.name = 'ImagePlatformError';
  }
}

/** How a task's process or container ended. */
export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** Human reason when the runtime knows one (OOM killed, image not found, agent restarted). */
  error: string | null;
}

/** A task the runtime found already present (after an agent restart). */
export interface ExistingTask {
  taskId: string;
  runtimeId: string;
  running: boolean;
  /** Set when the task is gone or died while the agent was away. */
  exit: ExitInfo | null;
}

export interface LogOptions {
  tail: number | null;
  follow: boolean;
  signal?: AbortSignal;
}

export interface Controller {
  readonly taskId: string;
  /** Container id or process id, once known. */
  readonly runtimeId: string | null;
  /** Pull/check the image, create the container, resolve the program. Throws RuntimeError. */
  prepare(): Promise<void>;
  start(): Promise<void>;
  /** Resolves when the task ends for any reason (also after stop()). */
  wait(): Promise<ExitInfo>;
  /** SIGTERM, then SIGKILL after `graceMs`. Idempotent; resolves once the task has ended. */
  stop(graceMs: number): Promise<void>;
  /** Release everything the task holds (container, cgroup, log file handle). Idempotent. */
  remove(): Promise<void>;
  /** After prepare: ports the runtime bound beyond the spec's (a container image's EXPOSE ports), reported like `expose` ports. */
  imagePorts?(): TaskExposedPort[];
  /** Cap CPU at `cpus` cores in place (no restart); null restores full speed. */
  setThrottle(cpus: number | null): Promise<void>;
  /** Log lines, oldest first; with `follow` it keeps yielding until the task ends or the signal aborts. */
  logs(options: LogOptions): AsyncIterable<LogLine>;
  /** The task's health source once it runs (`startedAt` in ms); absent or null: no check. */
  health?(startedAt: number): HealthMonitor | null;
}

export interface Executor {
  readonly driver: TaskDriver;
  /** Whether this driver can run tasks here now (engine reachable, node-pty loaded). */
  available(): Promise<boolean>;
  /** Controller for a new task. */
  controller(spec: TaskSpec): Controller;
  /** Re-attach to a task that survived an agent restart (or learn that it died). */
  adopt(spec: TaskSpec, existing: ExistingTask): Controller;
  /** Tasks this driver finds on the node that Kelvin started (labels, state-dir records). */
  listExisting(): Promise<ExistingTask[]>;
}
