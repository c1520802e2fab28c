/** `deploy.restart_policy` and `deploy.update_config`, over Swarm's defaults. */
import type { RestartPolicy, UpdateConfig } from '../service-spec.js';
import type { Field } from './field.js';
import { readChoice, readDurationMs, readNonNegativeInt } from './read.js';
import { readSection } from './section.js';

export function readRestartPolicy(field: Field, policy: RestartPolicy): void {
  readSection(field, {
    condition: (f) => (policy.condition = readChoice(f, 'condition', ['none', 'on-failure', 'any'] as const) ?? policy.condition),
    delay: (f) => (policy.delayMs = readDurationMs(f) ?? policy.delayMs),
    max_attempts: (f) => (policy.maxAttempts = readNonNegativeInt(f) ?? policy.maxAttempts),
    window: (f) => (policy.windowMs = readDurationMs(f) ?? policy.windowMs),
  });
}

export function readUpdateConfig(field: Field, update: UpdateConfig): void {
  readSection(
    field,
    {
      parallelism: (f) => (update.parallelism = readNonNegativeInt(f) ?? update.parallelism),
      delay: (f) => (update.delayMs = readDurationMs(f) ?? update.delayMs),
      order: (f) => (update.order = readChoice(f, 'order', ['stop-first', 'start-first'] as const) ?? update.order),
      failure_action: (f) =>
        (update.failureAction = readChoice(f, 'failure action', ['pause', 'continue', 'rollback'] as const) ?? update.failureAction),
    },
    ['monitor', 'max_failure_ratio'],
  );
}
