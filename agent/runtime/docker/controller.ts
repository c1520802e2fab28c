/**
 * One task as one container: create (after making sure the image is here), start, wait, stop
 * with a grace period, remove, throttle in place, and stream logs.
 */
import type { Logger } from '../../../shared/logger.js';
import type { LogLine } from '../../../shared/payloads/logs.js';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { RuntimeError, type Controller, type ExitInfo, type LogOptions } from '../types.js';
import { EngineError, isNotFound, type EngineClient } from './engine-client.js';
import type { ContainerInspect, CreateContainerResponse, WaitResponse } from './engine-types.js';
import { containerName, cpuQuota, createBody, effectiveCpus, LABEL_TASK_ID } from './container-spec.js';
import { exitFromState, GONE, signalFromExitCode } from './exit-info.js';
import { ensureImage } from './images.js';
import { checkImagePlatform, checkRegistryPlatforms } from './image-platform-check.js';
import { imageExposedPorts, inspectImage, type ImageInspect } from './image-inspect.js';
import { bindImagePorts, withImagePorts } from '../../mesh/task-ports.js';
import { MAX_TASK_PORTS, type TaskExposedPort } from '../../../shared/payloads/endpoints.js';
import type { ImagePlatform } from '../../../shared/image-platform.js';
import { decodeLogStream } from './log-stream.js';
import type { HealthMonitor } from '../health/types.js';
import { DockerHealthWatcher } from './health-watcher.js';

export interface ControllerContext {
  client: EngineClient;
  logger: Logger;
  nodeId: string | null;
  /** Where task secrets and configs are written, to bind-mount them; null: none. */
  materialsRoot: string | null;
  pullIdleTimeoutMs: number;
  /** How long stop() waits for the container to end after SIGKILL before reporting a stuck engine. */
  stopTimeoutMs: number;
  /** The fastest a container's health is read from the engine. */
  healthPollMs: number;
  /** The board's platform: an image built for no platform it runs is rejected; null checks nothing. */
  platform: ImagePlatform | null;
}

export class DockerController implements Controller {
  readonly taskId: string;
  private containerId: string | null;
  private throttleCpus: number | null;
  private waiting: Promise<ExitInfo> | null = null;
  /** wait() must not ask the engine before the container runs: a created container counts as "not running". */
  private readonly started: Promise<void>;
  private markStarted!: () => void;
  private readonly logger: Logger;
  /** The image's EXPOSE ports with the host ports bound for them; chosen once (prepare may be retried). */
  private exposedByImage: TaskExposedPort[] | null = null;

  /** `adoptedId`: an existing container (found after an agent restart) to bind to instead of creating one. */
  constructor(
    private readonly spec: TaskSpec,
    private readonly ctx: ControllerContext,
    adoptedId: string | null = null,
  ) {
    this.taskId = spec.id;
    this.containerId = adoptedId;
    this.throttleCpus = spec.throttle?.cpus ?? null;
    this.logger = ctx.logger.child({ taskId: spec.id });
    this.started = new Promise((resolve) => (this.markStarted = resolve));
    if (adoptedId !== null) this.markStarted();
  }

  get runtimeId(): string | null {
    return this.containerId;
  }

  async prepare(): Promise<void> {
    if (this.containerId !== null) return;
    const image = this.spec.image;
    if (!image) throw new RuntimeError(`task ${this.taskId}: a docker task needs an image`, 'permanent');
    const board = this.ctx.platform;
    const beforePull = board === null ? undefined : () => checkRegistryPlatforms(this.ctx.client, image, board, this.logger);
    await ensureImage(this.ctx.client, image, this.ctx.pullIdleTimeoutMs, this.logger, beforePull);
    const inspected = await inspectImage(this.ctx.client, image);
    if (board !== null) checkImagePlatform(inspected, image, board);
    this.exposedByImage ??= await this.bindImagePorts(image, inspected);
    this.containerId = await this.create(image);
    this.logger.info({ containerId: this.containerId }, 'container created');
  }

  imagePorts(): TaskExposedPort[] {
    return this.exposedByImage ?? [];
  }

  async start(): Promise<void> {
    await this.prepare();
    try {
      // 304: already running (an adopted container); nothing to do.
      await this.ctx.client.request('POST', `/containers/${this.id()}/start`);
    } catch (err) {
      throw this.explainStartFailure(err);
    }
    this.markStarted();
  }

  wait(): Promise<ExitInfo> {
    if (!this.waiting) {
      this.waiting = this.waitForExit();
      // A lost connection (engine restart) is worth another wait() later, not a remembered failure.
      this.waiting.catch(() => (this.waiting = null));
    }
    return this.waiting;
  }

  async stop(graceMs: number): Promise<void> {
    const id = this.containerId;
    if (id === null) return;
    if (!(await this.kill(id, this.spec.container?.stopSignal ?? 'SIGTERM'))) return;
    const ended = this.waitNotRunning(id);
    if (await settlesWithin(ended, graceMs)) return;
    this.logger.info({ graceMs }, 'task ignored SIGTERM for its grace period; sending SIGKILL');
    if (!(await this.kill(id, 'SIGKILL'))) return;
    if (!(await settlesWithin(ended, this.ctx.stopTimeoutMs))) {
      throw new RuntimeError(`container ${id} still running ${this.ctx.stopTimeoutMs} ms after SIGKILL`, 'temporary');
    }
  }

  async remove(): Promise<void> {
    // A wait() parked on a never-started container must learn that it is gone.
    this.markStarted();
    const id = this.containerId;
    if (id === null) return;
    try {
      await this.ctx.client.request('DELETE', `/containers/${id}`, { query: { force: true, v: true } });
    } catch (err) {
      // 404: already gone; 409: a removal is already in progress.
      if (!(err instanceof EngineError && (err.status === 404 || err.status === 409))) throw err;
    }
  }

  async setThrottle(cpus: number | null): Promise<void> {
    this.throttleCpus = cpus;
    const id = this.containerId;
    // Not created yet: the cap is applied when it is.
    if (id === null) return;
    const quota = cpuQuota(effectiveCpus(this.spec.resources.cpus, cpus));
    try {
      await this.ctx.client.request('POST', `/containers/${id}/update`, { body: quota });
      this.logger.info({ cpus, cpuQuota: quota.CpuQuota }, cpus === null ? 'throttle lifted' : 'throttled');
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.logger.debug('throttle skipped: container is gone');
    }
  }

  /** The engine runs the check (the service's or the image's); this only reads State.Health. */
  health(): HealthMonitor | null {
    if (this.spec.healthcheck === 'none' || this.containerId === null) return null;
    return new DockerHealthWatcher(this.ctx.client, this.containerId, this.ctx.healthPollMs, this.logger);
  }

  async *logs(options: LogOptions): AsyncGenerator<LogLine> {
    const id = this.containerId;
    if (id === null) return;
    const aborted = (): boolean => options.signal?.aborted ?? false;
    const query = { stdout: true, stderr: true, timestamps: true, follow: options.follow, tail: options.tail ?? 'all' };
    let res;
    try {
      res = await this.ctx.client.stream('GET', `/containers/${id}/logs`, { query, signal: options.signal });
    } catch (err) {
      if (aborted()) return;
      throw err;
    }
    try {
      yield* decodeLogStream(res, this.taskId);
    } catch (err) {
      if (!aborted()) throw err;
    } finally {
      res.destroy();
    }
  }

  private id(): string {
    if (this.containerId === null) throw new RuntimeError(`task ${this.taskId}: no container`, 'permanent');
    return this.containerId;
  }

  /** Binds the image's EXPOSE ports the task does not declare, so the mesh reaches them by name as Swarm's VIP does. */
  private async bindImagePorts(image: string, inspected: ImageInspect): Promise<TaskExposedPort[]> {
    const { bound, leftOut } = await bindImagePorts(this.spec, imageExposedPorts(inspected));
    if (leftOut > 0) this.logger.warn({ image, bound: bound.length, leftOut }, `the image exposes more ports than a task reports (${MAX_TASK_PORTS}); the rest are not reachable by name`);
    return bound;
  }

  private async create(image: string): Promise<string> {
    const name = containerName(this.spec);
    const body = createBody(withImagePorts(this.spec, this.imagePorts()), image, this.ctx.nodeId, this.throttleCpus, this.ctx.materialsRoot);
    const create = async (): Promise<string> =>
      (await this.ctx.client.request<CreateContainerResponse>('POST', '/containers/create', { query: { name }, body })).body.Id;
    try {
      return await create();
    } catch (err) {
      if (!(err instanceof EngineError && err.status === 409)) throw err;
      await this.removeLeftover(name);
      return create();
    }
  }

  /**
   * The name is taken: a container from an earlier attempt at this very task (agent died between
   * create and recording it). Remove it and create afresh; never touch a container of someone else.
   */
  private async removeLeftover(name: string): Promise<void> {
    const { body } = await this.ctx.client.request<ContainerInspect>('GET', `/containers/${name}/json`);
    if (body.Config.Labels?.[LABEL_TASK_ID] !== this.taskId) {
      throw new RuntimeError(`container name ${name} is taken by a container that is not Kelvin task ${this.taskId}`, 'permanent');
    }
    this.logger.warn({ containerId: body.Id }, 'removing a leftover container of this task');
    await this.ctx.client.request('DELETE', `/containers/${body.Id}`, { query: { force: true, v: true } });
  }

  /**
   * The engine answers 500 (temporary) when a GPU task lands on a node without the NVIDIA
   * runtime; retrying cannot help, so it fails the task with a reason a user can act on.
   */
  private explainStartFailure(err: unknown): unknown {
    if (err instanceof EngineError && /could not select device driver/i.test(err.detail)) {
      return new RuntimeError(
        `task ${this.taskId} reserves ${this.spec.resources.gpus ?? 0} GPU(s) but this node's docker engine has no NVIDIA runtime (${err.detail})`,
        'permanent',
      );
    }
    return err;
  }

  private async waitForExit(): Promise<ExitInfo> {
    await this.started;
    const id = this.id();
    let waited: WaitResponse;
    try {
      waited = (await this.ctx.client.request<WaitResponse>('POST', `/containers/${id}/wait`, {
        query: { condition: 'not-running' },
        timeoutMs: null,
      })).body;
    } catch (err) {
      if (isNotFound(err)) return GONE;
      throw err;
    }
    try {
      const { body } = await this.ctx.client.request<ContainerInspect>('GET', `/containers/${id}/json`);
      return exitFromState(body.State);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Removed right after it ended: the wait answer is all there is.
      return { exitCode: waited.StatusCode, signal: signalFromExitCode(waited.StatusCode), error: waited.Error?.Message || null };
    }
  }

  private async waitNotRunning(id: string): Promise<void> {
    try {
      await this.ctx.client.request('POST', `/containers/${id}/wait`, { query: { condition: 'not-running' }, timeoutMs: null });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Sends a signal; false when there is nothing to signal (not running, or gone). */
  private async kill(id: string, signal: string): Promise<boolean> {
    try {
      await this.ctx.client.request('POST', `/containers/${id}/kill`, { query: { signal } });
      return true;
    } catch (err) {
      if (err instanceof EngineError && (err.status === 409 || err.status === 404)) return false;
      throw err;
    }
  }
}

/** True when `promise` settles within `ms`; its rejection is passed on. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
