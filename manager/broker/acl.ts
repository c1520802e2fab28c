/**
 * Who may publish and subscribe where. A board may publish only under its own
 * `kelvin/v1/nodes/{id}/` and never on the kinds the manager sends it; it may subscribe only to
 * its own `tasks` and `logs-request`. The manager may do anything under `kelvin/v1/`. A retained
 * message is accepted only where the protocol keeps one (RETAINED_KINDS): anywhere else it would
 * be memory a board could fill and that outlives its connection.
 */
import { MANAGER_TO_NODE_KINDS, parseTopic, RETAINED_KINDS, TOPIC_ROOT } from '../../shared/topics.js';

export type BrokerIdentity = { kind: 'manager' } | { kind: 'node'; nodeId: string };

/** Null when allowed, else the reason. */
export function publishRefusal(who: BrokerIdentity, topic: string, retain = false): string | null {
  if (retain) {
    const parsed = parseTopic(topic);
    if (!parsed.ok || parsed.topic.scope !== 'node' || !RETAINED_KINDS.includes(parsed.topic.kind)) return `retained messages are not accepted on ${topic}`;
  }
  if (who.kind === 'manager') return topic.startsWith(`${TOPIC_ROOT}/`) ? null : `manager may publish only under ${TOPIC_ROOT}/`;
  const parsed = parseTopic(topic);
  if (!parsed.ok) return parsed.error;
  const t = parsed.topic;
  if (t.scope !== 'node') return `node ${who.nodeId} may not publish on ${topic}`;
  if (t.nodeId !== who.nodeId) return `node ${who.nodeId} may not publish for node ${t.nodeId}`;
  if (MANAGER_TO_NODE_KINDS.includes(t.kind)) return `node ${who.nodeId} may not publish on its ${t.kind} topic`;
  return null;
}

export function subscribeRefusal(who: BrokerIdentity, topicFilter: string): string | null {
  if (who.kind === 'manager') return topicFilter.startsWith(`${TOPIC_ROOT}/`) ? null : `manager may subscribe only under ${TOPIC_ROOT}/`;
  // Wildcards never reach parseTopic as valid node ids, so only exact own topics pass.
  const parsed = parseTopic(topicFilter);
  if (!parsed.ok) return `node ${who.nodeId} may not subscribe to ${topicFilter}`;
  const t = parsed.topic;
  if (t.scope !== 'node' || t.nodeId !== who.nodeId || !MANAGER_TO_NODE_KINDS.includes(t.kind)) {
    return `node ${who.nodeId} may not subscribe to ${topicFilter}`;
  }
  return null;
}
