/**
 * `/v1/secrets` and `/v1/configs`: create, list, inspect and remove. Values arrive as base64 and
 * leave only for configs (`inspect`); a secret's value never comes back through the API.
 */
import type { MaterialKind } from '../../shared/secrets/refs.js';
import type { Materials } from '../secrets/materials.js';
import { materialBody } from '../secrets/stack-materials.js';
import { readJson } from './body.js';
import { json, type Router } from './router.js';

export function addMaterialRoutes(materials: Materials, router: Router): Router {
  for (const kind of ['secret', 'config'] as const satisfies MaterialKind[]) {
    const base = `/v1/${kind}s`;
    router
      .add('GET', base, () => json(materials.list(kind)))
      .add('POST', base, async ({ req }) => {
        const body = await readJson(req, materialBody);
        return json(materials.create(kind, body.name, Buffer.from(body.data, 'base64'), body.labels), 201);
      })
      .add('GET', `${base}/:ref`, ({ params }) => {
        const found = materials.get(kind, params.ref ?? '');
        return json(kind === 'config' ? { ...found, data: materials.value(kind, found.name)?.toString('base64') } : found);
      })
      .add('DELETE', `${base}/:ref`, ({ params }) => {
        const removed = materials.remove(kind, params.ref ?? '');
        return json({ id: removed.id, name: removed.name });
      });
  }
  return router;
}
