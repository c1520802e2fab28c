import { z } from 'zod';
import { epochMs, wireVersion } from './common.js';

/**
 * Node liveness, retained. The agent sets an `offline` will with `clean: false` at connect time,
 * publishes `online` once connected, and `offline` with `clean: true` on an orderly shutdown.
 */
export const nodeStatus = z.object({
  v: wireVersion,
  state: z.enum(['online', 'offline']),
  bootId: z.string(),
  clean: z.boolean(),
  ts: epochMs,
});
export type NodeStatus = z.infer<typeof nodeStatus>;
