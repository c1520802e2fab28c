/**
 * The service-level `restart:` of Compose, converted as `docker stack deploy` does when
 * `deploy.restart_policy` is absent: `no` -> none, `always`/`unless-stopped` -> any,
 * `on-failure[:N]` -> on-failure with at most N attempts.
 */
import type { RestartPolicy } from '../service-spec.js';
import type { Field } from './field.js';
import { readString } from './read.js';

export function readServiceRestart(field: Field, policy: RestartPolicy): RestartPolicy | undefined {
  const text = readString(field);
  if (text === undefined) return undefined;
  if (text === 'no') return { ...policy, condition: 'none' };
  if (text === 'always' || text === 'unless-stopped') return { ...policy, condition: 'any' };
  const onFailure = /^on-failure(?::(\d+))?$/.exec(text);
  if (onFailure) return { ...policy, condition: 'on-failure', maxAttempts: onFailure[1] === undefined ? policy.maxAttempts : Number(onFailure[1]) };
  field.error(`unknown restart policy '${text}', expected 'no', 'always', 'unless-stopped' or 'on-failure[:max-retries]'`);
  return undefined;
}

/** Whether `deploy.restart_policy` is written for this service (it then wins over `restart:`). */
export function hasDeployRestartPolicy(service: Field): boolean {
  const deploy = service.isMap() ? service.entries().find(([key]) => key === 'deploy')?.[1] : undefined;
  return deploy?.isMap() === true && deploy.entries().some(([key]) => key === 'restart_policy');
}
