/**
 * Nodes that connected with the join token but have not reported yet. The secret a node presents
 * on first contact is bound to its id here, in memory, so no other join-token holder can claim the
 * id meanwhile; the node record (and its `node.join` event) is made only when the node first
 * reports (Inventory). The set is bounded: a join-token holder cannot grow it without limit.
 */
import type { NodeCredentialRecord } from '../store/records.js';

export const DEFAULT_MAX_PENDING_JOINS = 1000;

export class PendingJoins {
  private readonly byNode = new Map<string, NodeCredentialRecord>();

  constructor(readonly max = DEFAULT_MAX_PENDING_JOINS) {}

  get size(): number {
    return this.byNode.size;
  }

  get(nodeId: string): NodeCredentialRecord | null {
    return this.byNode.get(nodeId) ?? null;
  }

  /** Binds the credential to the id; false when the set is full. */
  add(nodeId: string, credential: NodeCredentialRecord): boolean {
    if (!this.byNode.has(nodeId) && this.byNode.size >= this.max) return false;
    this.byNode.set(nodeId, credential);
    return true;
  }

  /** What Inventory registers the node with on its first report; the entry is consumed. */
  admit(nodeId: string): { credential: NodeCredentialRecord; via: string } | null {
    const credential = this.get(nodeId);
    this.byNode.delete(nodeId);
    return credential ? { credential, via: '' } : null;
  }

  drop(nodeId: string): void {
    this.byNode.delete(nodeId);
  }
}
