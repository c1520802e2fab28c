/**
 * A service as the user declares it (CLI flags or a stack file), after parsing and defaults.
 * The orchestrator turns it into tasks; the stack parser and `kelvin service create` both build it.
 */
import { z } from 'zod';
import { boundedArgv, boundedLabels, boundedList, boundedMap, boundedString } from './bounded.js';
import {
  MAX_CLUSTER_TASKS,
  MAX_CONSTRAINT_CHARS,
  MAX_CONSTRAINTS,
  MAX_ENV_BYTES,
  MAX_ENV_ENTRY_BYTES,
  MAX_ENV_VARS,
  MAX_LABEL_KEY_CHARS,
  MAX_PREFERENCES,
  MAX_STRING_CHARS,
} from './limits.js';
import { serviceHealthcheck } from './healthcheck.js';
import { taskDriver } from './payloads/facts.js';
import { exposedPorts, publishedPorts } from './port-list.js';
import { materialRefs } from './secrets/refs.js';
import { containerOptions, defaultContainerOptions, devicesField, mountsField } from './container-options.js';

export const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const NETWORK_NAME_RULE = 'network name: letters, digits, _ . - (max 63), starting with a letter or digit';
const MAX_NETWORKS = 16;
/** The network of a stack service that names none, as in Compose. */
export const DEFAULT_NETWORK = 'default';

export const restartPolicy = z.object({
  condition: z.enum(['none', 'on-failure', 'any']),
  delayMs: z.number().int().nonnegative(),
  /** 0 = unlimited, as in Swarm. */
  maxAttempts: z.number().int().nonnegative(),
  /** Window in which attempts are counted; 0 = unbounded. */
  windowMs: z.number().int().nonnegative(),
});
export type RestartPolicy = z.infer<typeof restartPolicy>;

export const updateConfig = z.object({
  parallelism: z.number().int().nonnegative(),
  delayMs: z.number().int().nonnegative(),
  order: z.enum(['stop-first', 'start-first']),
  failureAction: z.enum(['pause', 'continue', 'rollback']),
  // [updates]
  /** A new task that exits, is rejected or turns unhealthy this long after starting counts as failed. */
  monitorMs: z.number().int().nonnegative().default(5000),
  /** Share of the rolled-out tasks that may fail before failureAction applies (0..1). */
  maxFailureRatio: z.number().min(0).max(1).default(0),
});
export type UpdateConfig = z.infer<typeof updateConfig>;

/** Swarm's rollback_config defaults (the same as update_config's). */
export function defaultRollbackConfig(): UpdateConfig {
  return { parallelism: 1, delayMs: 0, order: 'stop-first', failureAction: 'pause', monitorMs: 5000, maxFailureRatio: 0 };
}

export const serviceSpec = z.object({
  name: z.string().regex(SERVICE_NAME, 'service name: letters, digits, _ . - (max 63), starting with a letter or digit'),
  driver: taskDriver,
  image: boundedString(MAX_STRING_CHARS).min(1).nullable(),
  command: boundedArgv.nullable(),
  entrypoint: boundedArgv.nullable(),
  env: boundedMap({ what: 'environment variables', maxEntries: MAX_ENV_VARS, maxEntryBytes: MAX_ENV_ENTRY_BYTES, maxTotalBytes: MAX_ENV_BYTES }),
  labels: boundedLabels,
  workdir: boundedString(MAX_STRING_CHARS).nullable(),
  mode: z.enum(['replicated', 'global']),
  /** Ignored for global services. At most the cluster-wide cap; the manager checks the cap across services. */
  replicas: z.number().int().nonnegative().max(MAX_CLUSTER_TASKS, `over the cluster-wide limit of ${MAX_CLUSTER_TASKS} tasks`),
  placement: z.object({
    /** Raw Swarm constraint expressions; validated with the constraint parser before they are stored. */
    constraints: boundedList('constraints', MAX_CONSTRAINTS, MAX_CONSTRAINT_CHARS),
    preferences: z
      .array(z.object({ spread: boundedString(MAX_LABEL_KEY_CHARS + 16) }))
      .max(MAX_PREFERENCES, `over the limit of ${MAX_PREFERENCES} preferences`),
    /** 0 = unlimited. */
    maxReplicasPerNode: z.number().int().nonnegative(),
  }),
  resources: z.object({
    limits: z.object({ cpus: z.number().positive().nullable(), memoryBytes: z.number().int().positive().nullable() }),
    reservations: z.object({
      cpus: z.number().nonnegative().nullable(),
      memoryBytes: z.number().int().nonnegative().nullable(),
      gpus: z.number().int().nonnegative().nullable(),
    }),
  }),
  restartPolicy,
  updateConfig,
  stopGracePeriodMs: z.number().int().nonnegative(),
  /** Kelvin's `x-kelvin.thermal.movable`: false pins the task; heat never migrates it. */
  thermal: z.object({ movable: z.boolean() }),
  /** Stack namespace when deployed by `kelvin stack deploy`; null for plain services. */
  stack: boundedString(63).nullable(),
  // Fields added after round one carry a zod .default(): specs stored by older managers lack them.
  // [health]
  /** The service's own check, 'none' (`--no-healthcheck`), or null: the image's HEALTHCHECK, if any. */
  healthcheck: serviceHealthcheck.default(null),
  // [updates]
  /** How `kelvin service rollback` (or an automatic rollback) rolls the previous spec out; Swarm's defaults. */
  rollbackConfig: updateConfig.default(defaultRollbackConfig()),
  // [ports]
  /** Swarm's `--publish`: see shared/published-ports.ts. */
  ports: publishedPorts.default([]),
  /** Compose `expose`: targets reachable by name (besides the published ones), never published. */
  expose: exposedPorts.default([]),
  /**
   * Compose `networks` of a stack service, as isolation hints: services of one stack reach each
   * other by name only when they share one. Empty: the stack's `default` network.
   */
  networks: z.array(z.string().regex(NETWORK_NAME, NETWORK_NAME_RULE)).max(MAX_NETWORKS, `over the limit of ${MAX_NETWORKS} networks`).default([]),
  // [container]
  devices: devicesField.default([]),
  mounts: mountsField.default([]),
  container: containerOptions.default(defaultContainerOptions()),
  // [secrets]
  /** Secrets the tasks see under /run/secrets (process tasks: in $KELVIN_SECRETS_DIR); references only. */
  secrets: materialRefs.default([]),
  /** Configs the tasks see at their target (process tasks: in $KELVIN_CONFIGS_DIR); references only. */
  configs: materialRefs.default([]),
});
export type ServiceSpec = z.infer<typeof serviceSpec>;

/** Swarm's defaults for everything the user left out. */
export function defaultServiceSpec(name: string): ServiceSpec {
  return {
    name,
    driver: 'docker',
    image: null,
    command: null,
    entrypoint: null,
    env: {},
    labels: {},
    workdir: null,
    mode: 'replicated',
    replicas: 1,
    placement: { constraints: [], preferences: [], maxReplicasPerNode: 0 },
    resources: {
      limits: { cpus: null, memoryBytes: null },
      reservations: { cpus: null, memoryBytes: null, gpus: null },
    },
    restartPolicy: { condition: 'any', delayMs: 5000, maxAttempts: 0, windowMs: 0 },
    updateConfig: { parallelism: 1, delayMs: 0, order: 'stop-first', failureAction: 'pause', monitorMs: 5000, maxFailureRatio: 0 },
    stopGracePeriodMs: 10_000,
    thermal: { movable: true },
    stack: null,
    // [health]
    healthcheck: null,
    // [updates]
    rollbackConfig: defaultRollbackConfig(),
    // [ports]
    ports: [],
    expose: [],
    networks: [],
    // [container]
    devices: [],
    mounts: [],
    container: defaultContainerOptions(),
    // [secrets]
    secrets: [],
    configs: [],
  };
}

/**
 * A spec as an older manager stored it, with every field added since filled from the defaults
 * (one level deep, so a new field inside e.g. updateConfig is filled too).
 */
export function withSpecDefaults(stored: ServiceSpec): ServiceSpec {
  const defaults = defaultServiceSpec(stored.name) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(stored)) {
    const fallback = defaults[key];
    merged[key] = isPlainObject(value) && isPlainObject(fallback) ? { ...fallback, ...value } : value;
  }
  return merged as ServiceSpec;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
