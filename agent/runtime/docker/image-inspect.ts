/**
 * What the Docker driver reads from a local image once it is on the board (`GET /images/{name}/json`,
 * one call): its platform, and the ports its Dockerfile EXPOSEs. In Swarm a service on a shared
 * network is reachable on those ports with nothing declared (redis on 6379, postgres on 5432), so
 * the driver binds them like compose `expose` ports (task-ports.ts `bindImagePorts`).
 */
import { z } from 'zod';
import type { ExposedPort } from '../../../shared/published-ports.js';
import type { EngineClient } from './engine-client.js';

const imageInspect = z.object({
  Os: z.string().max(64).optional(),
  Architecture: z.string().max(64).optional(),
  Variant: z.string().max(64).optional(),
  // Keys only: "6379/tcp", "53/udp"; each value is an empty object.
  Config: z.object({ ExposedPorts: z.record(z.string(), z.unknown()).nullish() }).nullish(),
});
export type ImageInspect = z.infer<typeof imageInspect>;

export async function inspectImage(client: EngineClient, image: string): Promise<ImageInspect> {
  // Unbounded like every answer of the local engine: the image's config is what the pull accepted.
  const { body } = await client.request('GET', `/images/${encodeURIComponent(image)}/json`);
  // An answer of another shape tells nothing about platform or ports; the image still runs.
  const parsed = imageInspect.safeParse(body);
  return parsed.success ? parsed.data : {};
}

const EXPOSED_KEY = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i;

/** The image's EXPOSE ports the mesh can forward (TCP and UDP; a key without protocol is TCP), lowest target first. */
export function imageExposedPorts(inspect: ImageInspect): ExposedPort[] {
  const out: ExposedPort[] = [];
  for (const key of Object.keys(inspect.Config?.ExposedPorts ?? {})) {
    const m = EXPOSED_KEY.exec(key);
    const target = Number(m?.[1]);
    const protocol = (m?.[2] ?? 'tcp').toLowerCase();
    if (target >= 1 && target <= 65535 && (protocol === 'tcp' || protocol === 'udp')) out.push({ target, protocol });
  }
  return out.sort((a, b) => a.target - b.target || a.protocol.localeCompare(b.protocol));
}
