/** Task specs for tests: one complete default, each test overriding only what it is about. */
import { randomUUID } from 'node:crypto';
import type { TaskSpec } from '../../shared/payloads/tasks.js';

/** Unique per run, so parallel test files (and other runs) never share a cgroup or folder. */
export function taskId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** A complete spec (a process task running `true` unless overridden). */
export function taskSpec(overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    id: taskId('t'),
    serviceId: 'svc-1',
    serviceName: 'web',
    slot: 1,
    driver: 'process',
    image: null,
    command: ['true'],
    entrypoint: null,
    env: {},
    labels: {},
    workdir: null,
    resources: { cpus: null, memoryBytes: null, gpus: null },
    stopGracePeriodMs: 2000,
    throttle: null,
    ...overrides,
  };
}

export function processSpec(command: string[], overrides: Partial<TaskSpec> = {}): TaskSpec {
  return taskSpec({ command, ...overrides });
}
