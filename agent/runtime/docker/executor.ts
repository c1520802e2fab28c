/**
 * The Docker driver's executor: answers whether the engine is reachable, makes one controller
 * per task, and finds the Kelvin containers that outlived an agent restart.
 */
import type { Logger } from '../../../shared/logger.js';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { RuntimeError, type Controller, type Executor, type ExistingTask } from '../types.js';
import { EngineClient, isNotFound } from './engine-client.js';
import type { ContainerInspect, ContainerSummary } from './engine-types.js';
import { LABEL_MANAGED, LABEL_NODE_ID, LABEL_TASK_ID } from './container-spec.js';
import { DockerController, type ControllerContext } from './controller.js';
import { exitFromState } from './exit-info.js';
import type { ImagePlatform } from '../../../shared/image-platform.js';

export interface DockerExecutorOptions {
  /** The engine's unix socket; the agent's `--docker-host unix:///path` maps here. */
  socketPath: string;
  logger: Logger;
  /** How long stop() waits for a container to end after SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
  /** How long an image pull may go without progress before the task fails (default 60 s). */
  pullIdleTimeoutMs?: number;
  /**
   * Labels containers with this node and lists only those, so agents sharing one engine
   * (tests, several agents on one host) never adopt each other's containers.
   */
  nodeId?: string;
  /** The fastest a container's health is read from the engine (default 1 s; slower for slower checks). */
  healthPollMs?: number;
  /** Where task secrets and configs are written (agent/secrets/task-materials.ts); null: none are mounted. */
  materialsRoot?: string | null;
  /** The board's platform (from its facts, boardPlatform): images built for no platform it runs are rejected. */
  platform?: ImagePlatform;
}

const PING_TIMEOUT_MS = 2_000;
/** Engine states in which the task's process is still alive. */
const ALIVE_STATES = new Set(['running', 'restarting', 'paused']);

export class DockerExecutor implements Executor {
  readonly driver = 'docker' as const;
  private readonly client: EngineClient;
  private readonly ctx: ControllerContext;

  constructor(options: DockerExecutorOptions) {
    this.client = new EngineClient({ socketPath: options.socketPath });
    this.ctx = {
      client: this.client,
      logger: options.logger.child({ driver: 'docker' }),
      nodeId: options.nodeId ?? null,
      materialsRoot: options.materialsRoot ?? null,
      pullIdleTimeoutMs: options.pullIdleTimeoutMs ?? 60_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
      healthPollMs: options.healthPollMs ?? 1_000,
      platform: options.platform ?? null,
    };
  }

  available(): Promise<boolean> {
    return this.client.ping(PING_TIMEOUT_MS);
  }

  controller(spec: TaskSpec): Controller {
    return new DockerController(spec, this.ctx);
  }

  adopt(spec: TaskSpec, existing: ExistingTask): Controller {
    if (existing.taskId !== spec.id) {
      throw new RuntimeError(`cannot adopt container ${existing.runtimeId} of task ${existing.taskId} as task ${spec.id}`, 'permanent');
    }
    return new DockerController(spec, this.ctx, existing.runtimeId);
  }

  async listExisting(): Promise<ExistingTask[]> {
    const labels = [`${LABEL_MANAGED}=true`];
    if (this.ctx.nodeId !== null) labels.push(`${LABEL_NODE_ID}=${this.ctx.nodeId}`);
    const { body } = await this.client.request<ContainerSummary[]>('GET', '/containers/json', {
      query: { all: true, filters: JSON.stringify({ label: labels }) },
    });
    const found = await Promise.all(body.map((summary) => this.describe(summary)));
    return found.filter((task): task is ExistingTask => task !== null);
  }

  /** null when the container is not a task (no task label) or vanished while we looked. */
  private async describe(summary: ContainerSummary): Promise<ExistingTask | null> {
    const taskId = summary.Labels?.[LABEL_TASK_ID];
    if (!taskId) return null;
    if (ALIVE_STATES.has(summary.State)) return { taskId, runtimeId: summary.Id, running: true, exit: null };
    try {
      const { body } = await this.client.request<ContainerInspect>('GET', `/containers/${summary.Id}/json`);
      return { taskId, runtimeId: summary.Id, running: false, exit: exitFromState(body.State) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }
}
