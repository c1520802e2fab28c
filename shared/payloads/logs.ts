import { z } from 'zod';
import { epochMs, wireVersion } from './common.js';

/** Manager -> node: send the tail of a task's log, and keep streaming while `follow` is true. */
export const logsRequest = z.object({
  v: wireVersion,
  requestId: z.string().min(1).max(64),
  taskId: z.string().min(1).max(64),
  tail: z.number().int().nonnegative().nullable(),
  follow: z.boolean(),
  /** Ends a follow stream started earlier with the same request id. */
  cancel: z.boolean(),
});
export type LogsRequest = z.infer<typeof logsRequest>;

export const logLine = z.object({
  taskId: z.string(),
  ts: epochMs,
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
});
export type LogLine = z.infer<typeof logLine>;

/** Node -> manager: a batch of lines for one request; `done` ends the answer. */
export const logsChunk = z.object({
  v: wireVersion,
  requestId: z.string().min(1).max(64),
  lines: z.array(logLine),
  done: z.boolean(),
  error: z.string().nullable(),
});
export type LogsChunk = z.infer<typeof logsChunk>;
