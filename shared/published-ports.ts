/**
 * A port a service publishes (Swarm's PortConfig): `published` on the cluster side, `target` in the
 * task. `mode: ingress` opens it on every ready board (the routing mesh), `mode: host` only on the
 * board running the task. `published: 0` in a request asks the manager to pick one from Swarm's
 * dynamic range (30000-32767); a stored spec always has the port it was given.
 */
import { z } from 'zod';

const PUBLISHED = 'must be a port number (1-65535), or 0 for the manager to pick one';
const TARGET = 'must be a port number (1-65535)';

export const publishedPort = z.object({
  published: z.number().int(PUBLISHED).min(0, PUBLISHED).max(65535, PUBLISHED),
  target: z.number().int(TARGET).min(1, TARGET).max(65535, TARGET),
  protocol: z.enum(['tcp', 'udp']),
  mode: z.enum(['ingress', 'host']),
});
export type PublishedPort = z.infer<typeof publishedPort>;

/** Compose's `expose`: a target port other services reach by name, never published on the boards. */
export const exposedPort = z.object({ target: publishedPort.shape.target, protocol: z.enum(['tcp', 'udp']) });
export type ExposedPort = z.infer<typeof exposedPort>;
