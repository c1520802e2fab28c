/**
 * Finds the best node for the next task of a group in O(depth x log nodes) instead of a full scan.
 *
 * Candidate nodes hang in a tree with one level per usable spread preference (zone, then rack...).
 * Each branch counts the service's tasks under it and keeps its sub-branches in a heap ordered by
 * that count, then by their best node; a last-level branch keeps its nodes in a heap ordered by the
 * node preference below. Following the heap tops from the root gives the node a full scan would pick:
 * the emptiest spread group (Swarm's even spread), then the best node in it.
 */
import { IndexedHeap, type HeapItem } from './heap.js';
import type { NodeState } from './node-state.js';
import { spreadReader, type SpreadReader } from './spread.js';
import type { TaskGroup } from './task-group.js';

class Branch implements HeapItem {
  heapIndex = -1;
  /** Tasks of the service on the nodes under this branch (including nodes that are full now). */
  tasks = 0;
  /** Filled while nodes are added; turned into the heaps by seal(). */
  readonly subBranches = new Map<string, Branch>();
  readonly nodeList: NodeState[] = [];
  branches: IndexedHeap<Branch> | null = null;
  nodes: IndexedHeap<NodeState> | null = null;

  constructor(readonly parent: Branch | null) {}

  get empty(): boolean {
    return (this.nodes ?? this.branches)?.size === 0;
  }

  best(): NodeState {
    return (this.nodes?.peek() ?? this.branches?.peek()?.best()) as NodeState;
  }
}

/** Fewest tasks of the service, then fewest tasks, then lowest policy penalty, then lowest load, then id. */
function nodePreference(serviceId: string): (a: NodeState, b: NodeState) => boolean {
  return (a, b) => {
    const serviceA = a.tasksOf(serviceId);
    const serviceB = b.tasksOf(serviceId);
    if (serviceA !== serviceB) return serviceA < serviceB;
    if (a.totalTasks !== b.totalTasks) return a.totalTasks < b.totalTasks;
    // Before load: load differs on almost every pair of nodes, so a penalty after it would never decide.
    const penaltyA = a.penalty();
    const penaltyB = b.penalty();
    if (penaltyA !== penaltyB) return penaltyA < penaltyB;
    const loadA = loadOrWorst(a.node.load1);
    const loadB = loadOrWorst(b.node.load1);
    if (loadA !== loadB) return loadA < loadB;
    return a.id < b.id;
  };
}

/** A node that has not reported its load ranks after any node that has. */
function loadOrWorst(load1: number | null): number {
  return load1 !== null && Number.isFinite(load1) ? load1 : Number.POSITIVE_INFINITY;
}

export interface Choice {
  node: NodeState;
  /** Branches from the node's last-level branch up to the root. */
  path: Branch[];
}

export class PlacementTree {
  private readonly root = new Branch(null);
  private readonly readers: SpreadReader[];
  private readonly nodeLess: (a: NodeState, b: NodeState) => boolean;
  private readonly branchLess: (a: Branch, b: Branch) => boolean;

  constructor(private readonly group: TaskGroup) {
    // Unknown descriptors are ignored, as Swarm does; service create rejects them up front.
    this.readers = group.spread.map(spreadReader).filter((reader) => reader !== null);
    this.nodeLess = nodePreference(group.serviceId);
    // Sibling branches sit at the same depth: on equal counts, compare their best sub-branches, and so
    // on down to their best nodes (the order a full scan over [group counts..., node key] gives).
    this.branchLess = (a, b) => {
      if (a.tasks !== b.tasks) return a.tasks < b.tasks;
      if (a.branches !== null && b.branches !== null) {
        return this.branchLess(a.branches.peek() as Branch, b.branches.peek() as Branch);
      }
      return this.nodeLess(a.best(), b.best());
    };
  }

  /** A node that passed the static filters: its tasks count for its spread groups; `fits` makes it a candidate. */
  add(node: NodeState, fits: boolean): void {
    const tasks = node.tasksOf(this.group.serviceId);
    let branch = this.root;
    branch.tasks += tasks;
    for (const reader of this.readers) {
      const value = reader(node.node.subject);
      let next = branch.subBranches.get(value);
      if (next === undefined) {
        next = new Branch(branch);
        branch.subBranches.set(value, next);
      }
      branch = next;
      branch.tasks += tasks;
    }
    if (fits) branch.nodeList.push(node);
  }

  /** Builds the heaps once all nodes are added. */
  seal(): void {
    this.sealBranch(this.root, 0);
  }

  best(): Choice | null {
    if (this.root.empty) return null;
    const path: Branch[] = [this.root];
    let branch = this.root;
    while (branch.branches !== null) {
      branch = branch.branches.peek() as Branch;
      path.unshift(branch);
    }
    return { node: branch.nodes?.peek() as NodeState, path };
  }

  /** After one more task of the service landed on the chosen node; `stillFits` = it can take another. */
  placed(choice: Choice, stillFits: boolean): void {
    for (const branch of choice.path) branch.tasks += 1;
    const [leaf] = choice.path as [Branch];
    const nodes = leaf.nodes as IndexedHeap<NodeState>;
    if (stillFits) nodes.update(choice.node);
    else nodes.remove(choice.node);
    for (let child = leaf; child.parent !== null; child = child.parent) {
      const siblings = child.parent.branches as IndexedHeap<Branch>;
      if (child.empty) siblings.remove(child);
      else siblings.update(child);
    }
  }

  private sealBranch(branch: Branch, depth: number): void {
    if (depth === this.readers.length) {
      branch.nodes = new IndexedHeap(branch.nodeList, this.nodeLess);
      return;
    }
    for (const sub of branch.subBranches.values()) this.sealBranch(sub, depth + 1);
    const usable = [...branch.subBranches.values()].filter((sub) => !sub.empty);
    branch.branches = new IndexedHeap(usable, this.branchLess);
  }
}
