/**
 * A stack deploy's secrets and configs, applied in the deploy's transaction before its services:
 * a missing one is created; one that exists with the same value is left alone; one whose value
 * changed is refused (values never change in place; rotate with a new name, as in Swarm). `stack
 * rm` removes those the stack made, once its services are gone.
 */
import { z } from 'zod';
import { boundedLabels } from '../../shared/bounded.js';
import { MAX_MATERIAL_BYTES, STACK_NAMESPACE_LABEL, type MaterialKind } from '../../shared/secrets/refs.js';
import { ClusterError } from '../cluster.js';
import type { Materials } from './materials.js';

export const materialBody = z
  .object({
    name: z.string().min(1).max(64),
    data: z
      .string()
      .max(Math.ceil(MAX_MATERIAL_BYTES / 3) * 4 + 4, `over the limit of ${MAX_MATERIAL_BYTES / 1024} KiB`)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
    labels: boundedLabels.default({}),
  })
  .strict();
export type MaterialBody = z.infer<typeof materialBody>;

export function applyStackMaterials(materials: Materials, kind: MaterialKind, bodies: MaterialBody[]): void {
  for (const body of bodies) {
    const data = Buffer.from(body.data, 'base64');
    const current = materials.value(kind, body.name);
    if (current === null) materials.create(kind, body.name, data, body.labels);
    else if (!current.equals(data)) {
      throw new ClusterError(`${kind} ${body.name} already exists with another value; a ${kind} cannot change: give it a new name (and use that in the service)`, 'conflict');
    }
  }
}

/** Removes what the stack made; one still used by a service outside the stack is kept. */
export function removeStackMaterials(materials: Materials, stack: string): void {
  for (const kind of ['secret', 'config'] as const) {
    for (const m of materials.list(kind)) {
      if (m.labels[STACK_NAMESPACE_LABEL] === stack && m.usedBy.length === 0) materials.remove(kind, m.id);
    }
  }
}
