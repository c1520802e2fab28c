/** Creating a service; a generated name that happens to be taken is drawn again, as docker does. */
import type { ServiceView } from '../../manager/api/views.js';
import type { ServiceSpec } from '../../shared/service-spec.js';
import { ApiRequestError, type KelvinClient } from '../client.js';
import { generateServiceName } from '../names/generate.js';

const NAME_DRAWS = 5;

export async function createWithName(client: KelvinClient, spec: ServiceSpec, generated: boolean): Promise<ServiceView> {
  for (let draw = 1; ; draw++) {
    try {
      return await client.post<ServiceView>('/services', spec);
    } catch (err) {
      if (!generated || draw >= NAME_DRAWS || !(err instanceof ApiRequestError && err.status === 409)) throw err;
      spec = { ...spec, name: generateServiceName() };
    }
  }
}
