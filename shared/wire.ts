/**
 * The wire contract in one place: which schema each topic carries, and the one decoder every
 * inbound MQTT message goes through (size check, JSON, zod). It never throws.
 */
import type { z } from 'zod';
import { alert } from './payloads/alert.js';
import { endpointList } from './payloads/endpoints.js';
import { nodeFacts } from './payloads/facts.js';
import { leaveRequest } from './payloads/leave.js';
import { logsChunk, logsRequest } from './payloads/logs.js';
import { secretsRequest, secretsResponse } from './payloads/secrets.js';
import { nodeStatus } from './payloads/status.js';
import { desiredTaskSet, taskStatus, type TaskSpec } from './payloads/tasks.js';
import { telemetry } from './payloads/telemetry.js';
import { parseTopic, type NodeTopicKind, type ParsedTopic } from './topics.js';
import { firstIssue } from './zod-issue.js';

/** Every payload a node sends (and alerts) stays under this; bigger ones are refused unread. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/**
 * A desired set is the node's whole task list, about 350 bytes a task, so 64 KiB would cap a board
 * at roughly 190 tasks. Only the manager can publish it (the broker refuses nodes on `tasks`).
 */
export const MAX_DESIRED_SET_BYTES = 1024 * 1024;

/** Bytes of a desired set with no tasks, at its largest (longest node id and incarnation, largest generation). */
export const DESIRED_SET_ENVELOPE_BYTES = Buffer.byteLength(
  JSON.stringify({ v: 1, nodeId: 'n'.repeat(63), incarnation: 'i'.repeat(64), generation: Number.MAX_SAFE_INTEGER, tasks: [], removed: false }),
);

/**
 * What one task adds to its node's desired set: its JSON, a separating comma, and room for the
 * largest throttle the heat policy may put on it later, so a set measured now still fits then.
 */
export function desiredSetEntryBytes(task: TaskSpec): number {
  return Buffer.byteLength(JSON.stringify({ ...task, throttle: { cpus: Number.MAX_VALUE } })) + 1;
}

function maxBytes(kind: NodeTopicKind): number {
  // A secret's answer carries up to 500 KiB of value; only the manager may publish it, as `tasks`.
  // The endpoint list, like a desired set, lists the whole cluster's (bounded) entries.
  return kind === 'tasks' || kind === 'secrets' || kind === 'endpoints' ? MAX_DESIRED_SET_BYTES : MAX_PAYLOAD_BYTES;
}

export const NODE_TOPIC_SCHEMAS = {
  status: nodeStatus,
  facts: nodeFacts,
  telemetry,
  tasks: desiredTaskSet,
  'task-status': taskStatus,
  'logs-request': logsRequest,
  logs: logsChunk,
  leave: leaveRequest,
  'secrets-request': secretsRequest,
  secrets: secretsResponse,
  endpoints: endpointList,
} satisfies Record<NodeTopicKind, z.ZodType>;

export type NodePayload<K extends NodeTopicKind> = z.infer<(typeof NODE_TOPIC_SCHEMAS)[K]>;

export type Decoded =
  | { [K in NodeTopicKind]: { scope: 'node'; nodeId: string; kind: K; payload: NodePayload<K> } }[NodeTopicKind]
  | { scope: 'alerts'; payload: z.infer<typeof alert> };

/** Why a payload was refused, as `/metrics` counts it: the topic, its size, its JSON, or its schema. */
export type RejectReason = 'topic' | 'size' | 'json' | 'schema';

export type Rejected = { ok: false; reason: RejectReason; error: string };

export type DecodeResult = { ok: true; message: Decoded } | Rejected;

/** Parse the payload carried by a known topic kind (size, JSON and schema checked). */
export function decodePayload<K extends NodeTopicKind>(
  kind: K,
  payload: Uint8Array | string,
): { ok: true; value: NodePayload<K> } | Rejected {
  return parseWith(NODE_TOPIC_SCHEMAS[kind] as unknown as z.ZodType<NodePayload<K>>, payload, maxBytes(kind));
}

/** Decode any inbound message: topic layout, payload size, JSON and schema. */
export function decodeMessage(topic: string, payload: Uint8Array | string): DecodeResult {
  const parsed = parseTopic(topic);
  if (!parsed.ok) return { ok: false, reason: 'topic', error: parsed.error };
  const t: ParsedTopic = parsed.topic;
  if (t.scope === 'alerts') {
    const r = parseWith(alert, payload, MAX_PAYLOAD_BYTES);
    return r.ok ? { ok: true, message: { scope: 'alerts', payload: r.value } } : r;
  }
  const r = decodePayload(t.kind, payload);
  if (!r.ok) return { ...r, error: `${topic}: ${r.error}` };
  return { ok: true, message: { scope: 'node', nodeId: t.nodeId, kind: t.kind, payload: r.value } as Decoded };
}

export function encode(payload: unknown): Buffer {
  return Buffer.from(JSON.stringify(payload));
}

function parseWith<T>(
  schema: z.ZodType<T>,
  payload: Uint8Array | string,
  limit: number,
): { ok: true; value: T } | Rejected {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > limit) return { ok: false, reason: 'size', error: `payload of ${size} bytes exceeds ${limit}` };
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, reason: 'json', error: 'payload is not valid JSON' };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const { where, message } = firstIssue(result.error);
    return { ok: false, reason: 'schema', error: `invalid payload at ${where}: ${message}` };
  }
  return { ok: true, value: result.data };
}
