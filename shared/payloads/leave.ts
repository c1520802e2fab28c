import { z } from 'zod';
import { epochMs, wireVersion } from './common.js';

/**
 * Node -> manager: `kelvin agent leave`. The manager removes the node, revokes its credential and
 * answers with a retained desired set marked `removed`, which stops the node's tasks.
 */
export const leaveRequest = z.object({
  v: wireVersion,
  ts: epochMs,
});
export type LeaveRequest = z.infer<typeof leaveRequest>;
