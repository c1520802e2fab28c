/**
 * The devices, mounts and container options a task carries from its service. Only what is set:
 * a task of a service that uses none of them has the same spec as before they existed, so an
 * upgraded manager does not see every running task as outdated.
 */
import { isDefaultContainerOptions } from '../../shared/container-options.js';
import type { TaskSpec } from '../../shared/payloads/tasks.js';
import type { ServiceSpec } from '../../shared/service-spec.js';

export function containerTaskFields(spec: ServiceSpec): Pick<TaskSpec, 'devices' | 'mounts' | 'container'> {
  return {
    ...(spec.devices.length > 0 ? { devices: spec.devices.map((d) => ({ ...d })) } : {}),
    ...(spec.mounts.length > 0 ? { mounts: spec.mounts.map((m) => ({ ...m, volumeOptions: { ...m.volumeOptions } })) } : {}),
    ...(isDefaultContainerOptions(spec.container) ? {} : { container: structuredClone(spec.container) }),
  };
}
