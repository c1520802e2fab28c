/** `deploy.restart_policy`, `deploy.update_config` and `deploy.rollback_config`, over Swarm's defaults. */
import type { RestartPolicy, UpdateConfig } from '../service-spec.js';
import type { Field } from './field.js';
import { readChoice, readDurationMs, readNonNegativeInt, readRatio } from './read.js';
import { readSection } from './section.js';

export function readRestartPolicy(field: Field, policy: RestartPolicy): void {
  readSection(field, {
    condition: (f) => (policy.condition = readChoice(f, 'condition', ['none', 'on-failure', 'any'] as const) ?? policy.condition),
    delay: (f) => (policy.delayMs = readDurationMs(f) ?? policy.delayMs),
    max_attempts: (f) => (policy.maxAttempts = readNonNegativeInt(f) ?? policy.maxAttempts),
    window: (f) => (policy.windowMs = readDurationMs(f) ?? policy.windowMs),
  });
}

/** `update_config` and `rollback_config` share their keys; a rollback cannot itself roll back (as in Swarm). */
export function readUpdateConfig(field: Field, update: UpdateConfig, kind: 'update' | 'rollback' = 'update'): void {
  const actions = kind === 'update' ? (['pause', 'continue', 'rollback'] as const) : (['pause', 'continue'] as const);
  readSection(field, {
    parallelism: (f) => (update.parallelism = readNonNegativeInt(f) ?? update.parallelism),
    delay: (f) => (update.delayMs = readDurationMs(f) ?? update.delayMs),
    order: (f) => (update.order = readChoice(f, 'order', ['stop-first', 'start-first'] as const) ?? update.order),
    failure_action: (f) => (update.failureAction = readChoice(f, 'failure action', actions) ?? update.failureAction),
    monitor: (f) => (update.monitorMs = readDurationMs(f) ?? update.monitorMs),
    max_failure_ratio: (f) => (update.maxFailureRatio = readRatio(f) ?? update.maxFailureRatio),
  });
}
