/**
 * `kelvin agent leave` on the manager's side: the node asked to go, so it is removed as cleanly as
 * `kelvin node rm --force` would (its tasks move, its credential is revoked, so the forgotten
 * identity can never come back) and the dispatcher's last retained set, marked `removed`, stops
 * its tasks and confirms the leave to the board. Identity comes from the connection: a node can
 * only ask for itself.
 */
import type { Logger } from '../../shared/logger.js';
import type { NodeMessage } from '../broker/inbound.js';
import type { Store } from '../store/store.js';

export function handleLeave(store: Store, logger: Logger, msg: NodeMessage): void {
  if (msg.kind !== 'leave') return;
  const node = store.getNode(msg.nodeId);
  if (!node) return;
  store.transaction(() => {
    store.revokeNode(node.id, 'kelvin agent leave');
    store.deleteNode(node.id);
    store.addEvent('node.leave', node.id, `node ${node.hostname} left the cluster`, { nodeId: node.id });
  });
  store.forgetTelemetry(node.id);
  logger.info({ node: node.id }, 'node left the cluster');
}
