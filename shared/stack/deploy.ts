/** The `deploy` section of one service: how many, where, with what, and how to restart and update. */
import type { ServiceSpec } from '../service-spec.js';
import type { Field } from './field.js';
import { readPlacement } from './placement.js';
import { readRestartPolicy, readUpdateConfig } from './policies.js';
import { readChoice, readKeyValues, readNonNegativeInt } from './read.js';
import { readResources } from './resources.js';
import { readSection } from './section.js';

/** Fills `spec` from `deploy`; returns the service labels (`deploy.labels`) for the caller to merge. */
export function readDeploy(field: Field, spec: ServiceSpec): Record<string, string> {
  let serviceLabels: Record<string, string> = {};
  const written: { replicas?: Field } = {};
  readSection(
    field,
    {
      mode: (f) => (spec.mode = readChoice(f, 'mode', ['replicated', 'global'] as const) ?? spec.mode),
      replicas: (f) => {
        written.replicas = f;
        spec.replicas = readNonNegativeInt(f) ?? spec.replicas;
      },
      labels: (f) => (serviceLabels = readKeyValues(f, 'empty') ?? {}),
      placement: (f) => readPlacement(f, spec.placement),
      resources: (f) => readResources(f, spec.resources),
      restart_policy: (f) => readRestartPolicy(f, spec.restartPolicy),
      update_config: (f) => readUpdateConfig(f, spec.updateConfig),
      rollback_config: (f) => readUpdateConfig(f, spec.rollbackConfig, 'rollback'),
    },
    ['endpoint_mode'],
  );
  if (spec.mode === 'global' && written.replicas) written.replicas.error("replicas cannot be used with mode 'global'");
  return serviceLabels;
}
