/**
 * MQTT topic layout under `kelvin/v1/`. Builders for every topic and one strict parser:
 * a topic that does not match the layout exactly, or names an invalid node id, is rejected.
 */

export const TOPIC_ROOT = 'kelvin/v1';

/** Per-node topic kinds, with their direction. */
export const NODE_TOPIC_KINDS = [
  'status', // node -> all, retained; the will message says offline
  'facts', // node -> manager, retained
  'telemetry', // node -> manager, QoS 0
  'tasks', // manager -> node, retained: the whole desired task set
  'task-status', // node -> manager
  'logs-request', // manager -> node: fetch or follow task logs
  'logs', // node -> manager: log lines answering a request
  'leave', // node -> manager: `kelvin agent leave`, remove me from the cluster
  'secrets-request', // node -> manager: the value of a secret or config one of its tasks uses
  'secrets', // manager -> node, never retained: the answer, sealed to the agent
  'endpoints', // manager -> node, retained: the routing mesh's endpoint list
] as const;
export type NodeTopicKind = (typeof NODE_TOPIC_KINDS)[number];

/** Topics the manager publishes to a node; a node may subscribe to these but never publish on them. */
export const MANAGER_TO_NODE_KINDS: readonly NodeTopicKind[] = ['tasks', 'logs-request', 'secrets', 'endpoints'];

/** Kinds whose last message the broker keeps (retained); a retained publish anywhere else is refused. */
export const RETAINED_KINDS: readonly NodeTopicKind[] = ['status', 'facts', 'tasks', 'endpoints'];

const NODE_ID = /^[a-z0-9-]{1,63}$/;

export function isValidNodeId(id: string): boolean {
  return NODE_ID.test(id);
}

export function assertNodeId(id: string): string {
  if (!isValidNodeId(id)) {
    throw new Error(`invalid node id '${id}': use 1 to 63 lower-case letters, digits and '-'`);
  }
  return id;
}

export function nodeTopic(nodeId: string, kind: NodeTopicKind): string {
  return `${TOPIC_ROOT}/nodes/${assertNodeId(nodeId)}/${kind}`;
}

/** Wildcard subscription for one kind across all nodes, e.g. `kelvin/v1/nodes/+/telemetry`. */
export function allNodesTopic(kind: NodeTopicKind): string {
  return `${TOPIC_ROOT}/nodes/+/${kind}`;
}

export const ALERTS_TOPIC = `${TOPIC_ROOT}/alerts`;

export type ParsedTopic =
  | { scope: 'node'; nodeId: string; kind: NodeTopicKind }
  | { scope: 'alerts' };

export type TopicParseResult = { ok: true; topic: ParsedTopic } | { ok: false; error: string };

export function parseTopic(topic: string): TopicParseResult {
  if (topic === ALERTS_TOPIC) return { ok: true, topic: { scope: 'alerts' } };
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[2] !== 'nodes') {
    return { ok: false, error: `topic '${topic}' is not under ${TOPIC_ROOT}/nodes/{id}/{kind}` };
  }
  const nodeId = parts[3] ?? '';
  const kind = parts[4] ?? '';
  if (!isValidNodeId(nodeId)) return { ok: false, error: `topic '${topic}' names invalid node id '${nodeId}'` };
  if (!(NODE_TOPIC_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, error: `topic '${topic}' has unknown kind '${kind}'` };
  }
  return { ok: true, topic: { scope: 'node', nodeId, kind: kind as NodeTopicKind } };
}
