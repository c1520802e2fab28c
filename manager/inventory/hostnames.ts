/**
 * Hostnames are unique among nodes, and the inventory is their one owner. A node that reports a
 * hostname another node already holds is *conflicted*: it is marked with the holder's id and
 * fails every `node.hostname` constraint, so a newly joined board cannot capture the pinned work
 * (and the secrets in its environment) of the board whose name it copies. The first node to
 * claim a name keeps it; when it gives the name up (renamed or removed), the earliest registered
 * of the nodes waiting on it takes it over. Names compare case-insensitively, as constraints do.
 */
import type { NodeRecord } from '../store/records.js';

export const sameHostname = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The node other than `nodeId` that holds `hostname`, or null when the name is free. */
export function hostnameHolder(nodes: readonly NodeRecord[], nodeId: string, hostname: string): NodeRecord | null {
  // A node that has not reported facts has no hostname of its own yet (the store shows its id).
  return nodes.find((n) => n.id !== nodeId && n.facts !== null && n.hostnameConflict === null && sameHostname(n.hostname, hostname)) ?? null;
}

/**
 * The nodes that waited on a name `formerHolderId` gave up, each with its new conflict: the
 * earliest registered becomes the holder (null), the others now conflict with it.
 */
export function nextHolders(nodes: readonly NodeRecord[], formerHolderId: string): Array<{ node: NodeRecord; conflict: string | null }> {
  const waiting = nodes
    .filter((n) => n.hostnameConflict === formerHolderId)
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const [first] = waiting;
  return waiting.map((node) => ({ node, conflict: node === first ? null : (first?.id ?? null) }));
}

/** True when this change means `before` no longer holds the hostname it held. */
export function gaveUpHostname(before: NodeRecord | null, after: NodeRecord | null): before is NodeRecord {
  if (!before || before.facts === null || before.hostnameConflict !== null) return false;
  return after === null || after.hostnameConflict !== null || !sameHostname(before.hostname, after.hostname);
}
