/** What a task spec carries of its service's secrets and configs: the references, only when there are any. */
import type { TaskSpec } from '../../shared/payloads/tasks.js';
import type { ServiceSpec } from '../../shared/service-spec.js';

export function taskMaterialRefs(spec: ServiceSpec): Pick<TaskSpec, 'secrets' | 'configs'> {
  // Left out when empty, so the task specs of services without any stay byte-identical to before.
  return {
    ...(spec.secrets.length > 0 ? { secrets: spec.secrets.map((r) => ({ ...r })) } : {}),
    ...(spec.configs.length > 0 ? { configs: spec.configs.map((r) => ({ ...r })) } : {}),
  };
}
