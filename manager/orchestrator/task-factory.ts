/** How a service's spec becomes a task: the TaskSpec an agent runs, and the stored task record. */
import type { TaskSpec } from '../../shared/payloads/tasks.js';
import { randomToken } from '../broker/secrets.js';
import { taskMaterialRefs } from '../secrets/task-refs.js';
import { containerTaskFields } from './container-task-fields.js';
import type { Resources } from '../scheduler/types.js';
import type { ServiceRecord, TaskRecord } from '../store/records.js';

export function newObjectId(): string {
  return randomToken(15);
}

export function buildTaskSpec(taskId: string, service: ServiceRecord, slot: number | null): TaskSpec {
  const s = service.spec;
  return {
    id: taskId,
    serviceId: service.id,
    serviceName: service.name,
    slot,
    driver: s.driver,
    image: s.image,
    command: s.command,
    entrypoint: s.entrypoint,
    env: { ...s.env },
    labels: { ...s.labels },
    workdir: s.workdir,
    resources: { cpus: s.resources.limits.cpus, memoryBytes: s.resources.limits.memoryBytes, gpus: s.resources.reservations.gpus },
    stopGracePeriodMs: s.stopGracePeriodMs,
    throttle: null,
    // [health] only when set, so tasks made before health checks existed are not seen as outdated
    ...(s.healthcheck === null ? {} : { healthcheck: s.healthcheck }),
    ...taskMaterialRefs(s),
    // [ports] only when published: an unchanged spec keeps older tasks' specs (and isOutdated) as they were.
    ...(s.ports.length > 0 ? { ports: s.ports.map((p) => ({ ...p })) } : {}),
    ...(s.expose.length > 0 ? { expose: s.expose.map((p) => ({ ...p })) } : {}),
    ...containerTaskFields(s),
  };
}

export function newTask(service: ServiceRecord, slot: number | null, nodeId: string | null, now: number, restartHistory: number[] = []): TaskRecord {
  const id = newObjectId();
  return {
    id,
    serviceId: service.id,
    serviceName: service.name,
    slot,
    nodeId,
    desiredState: 'running',
    state: 'pending',
    error: null,
    message: '',
    exitCode: null,
    spec: buildTaskSpec(id, service, slot),
    serviceVersion: service.version,
    forceUpdate: service.forceUpdate,
    restartHistory,
    restarted: false,
    runtimeId: null,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: null,
    health: null,
    healthLog: [],
  };
}

/** True when the service changed in a way the running task does not reflect (or update --force). */
export function isOutdated(task: TaskRecord, service: ServiceRecord): boolean {
  if (task.forceUpdate !== service.forceUpdate) return true;
  // Made from this very version of the spec: nothing to compare (and 100,000 tasks compare slowly).
  if (task.serviceVersion === service.version) return false;
  return JSON.stringify(buildTaskSpec(task.id, service, task.slot)) !== JSON.stringify(task.spec);
}

export function reservationsOf(service: ServiceRecord): Resources {
  const r = service.spec.resources.reservations;
  return { cpus: r.cpus ?? 0, memoryBytes: r.memoryBytes ?? 0, gpus: r.gpus ?? 0 };
}
