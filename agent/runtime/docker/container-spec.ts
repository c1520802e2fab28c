/**
 * TaskSpec -> Docker container: name, labels, and the create body. Pure, so the mapping is
 * tested without an engine.
 */
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { dockerPorts } from '../../mesh/task-ports.js';
import { applyContainerExtras } from './container-extras.js';
import { healthConfigBody } from './health-config.js';
import { materialMounts } from '../../secrets/task-materials.js';
import { addMounts, type CreateContainerBody, type HostConfigBody } from './engine-types.js';

export const LABEL_MANAGED = 'io.kelvin.managed';
export const LABEL_TASK_ID = 'io.kelvin.task.id';
export const LABEL_SERVICE_ID = 'io.kelvin.service.id';
export const LABEL_SERVICE_NAME = 'io.kelvin.service.name';
/** Set when the executor is bound to a node, so agents sharing one engine never adopt each other's work. */
export const LABEL_NODE_ID = 'io.kelvin.node.id';

/** CFS period Docker uses for `--cpus`; quotas are expressed against it. */
export const CPU_PERIOD_US = 100_000;
/** The kernel rejects CFS quotas under 1 ms. */
const MIN_CPU_QUOTA_US = 1_000;

export function shortTaskId(taskId: string): string {
  return dockerNamePart(taskId).slice(0, 12);
}

/** `kelvin-<service>-<slot or short task id>-<short task id>`, restricted to characters Docker accepts. */
export function containerName(spec: TaskSpec): string {
  const short = shortTaskId(spec.id);
  return `kelvin-${dockerNamePart(spec.serviceName)}-${spec.slot ?? short}-${short}`;
}

function dockerNamePart(text: string): string {
  return text.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

export function containerLabels(spec: TaskSpec, nodeId: string | null): Record<string, string> {
  return {
    ...spec.labels,
    // Kelvin's own labels last: a spec label must not be able to disguise whose container this is.
    [LABEL_MANAGED]: 'true',
    [LABEL_TASK_ID]: spec.id,
    [LABEL_SERVICE_ID]: spec.serviceId,
    [LABEL_SERVICE_NAME]: spec.serviceName,
    ...(nodeId === null ? {} : { [LABEL_NODE_ID]: nodeId }),
  };
}

/**
 * The CPU cap in force: the spec's own limit, tightened (never loosened) by a heat throttle.
 * null = no limit.
 */
export function effectiveCpus(specCpus: number | null, throttleCpus: number | null): number | null {
  if (specCpus === null) return throttleCpus;
  if (throttleCpus === null) return specCpus;
  return Math.min(specCpus, throttleCpus);
}

/** CFS period and quota for a cap in cores; quota -1 lifts the limit (cgroup "unlimited"). */
export function cpuQuota(cpus: number | null): { CpuPeriod: number; CpuQuota: number } {
  if (cpus === null) return { CpuPeriod: CPU_PERIOD_US, CpuQuota: -1 };
  return { CpuPeriod: CPU_PERIOD_US, CpuQuota: Math.max(MIN_CPU_QUOTA_US, Math.round(cpus * CPU_PERIOD_US)) };
}

/** `throttleCpus`: the heat cap in force when the container is made, so a hot board never starts it at full speed. */
export function createBody(spec: TaskSpec, image: string, nodeId: string | null, throttleCpus: number | null, materialsRoot: string | null = null): CreateContainerBody {
  const { ExposedPorts, PortBindings } = dockerPorts(spec);
  const hostConfig: HostConfigBody = PortBindings ? { PortBindings } : {};
  const cpus = effectiveCpus(spec.resources.cpus, throttleCpus);
  if (cpus !== null) Object.assign(hostConfig, cpuQuota(cpus));
  if (spec.resources.memoryBytes !== null) hostConfig.Memory = spec.resources.memoryBytes;
  if (spec.resources.gpus) {
    hostConfig.DeviceRequests = [{ Driver: 'nvidia', Count: spec.resources.gpus, Capabilities: [['gpu']] }];
  }
  const healthcheck = healthConfigBody(spec.healthcheck);
  addMounts(hostConfig, materialMounts(spec, materialsRoot));
  const body: CreateContainerBody = {
    Image: image,
    ...(spec.command ? { Cmd: spec.command } : {}),
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Labels: containerLabels(spec, nodeId),
    ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
    ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    Tty: false,
    AttachStdin: false,
    OpenStdin: false,
    ...(ExposedPorts ? { ExposedPorts } : {}),
    HostConfig: hostConfig,
  };
  applyContainerExtras(body, spec);
  return body;
}
