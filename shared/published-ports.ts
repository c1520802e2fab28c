/** A port a service publishes (Swarm's `--publish published=,target=,protocol=,mode=`). */
import { z } from 'zod';

export const publishedPort = z.object({
  published: z.number().int().min(1).max(65535),
  target: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp', 'udp']),
  mode: z.enum(['ingress', 'host']),
});
export type PublishedPort = z.infer<typeof publishedPort>;
