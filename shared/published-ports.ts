/**
 * A port a service publishes (Swarm's PortConfig): `published` on the cluster side, `target` in the
 * task. `mode: ingress` opens it on every ready board (the routing mesh), `mode: host` only on the
 * board running the task. `published: 0` in a request asks the manager to pick one from Swarm's
 * dynamic range (30000-32767); a stored spec always has the port it was given.
 */
import { z } from 'zod';

export const publishedPort = z.object({
  published: z.number().int().min(0).max(65535),
  target: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp']),
  mode: z.enum(['ingress', 'host']),
});
export type PublishedPort = z.infer<typeof publishedPort>;
