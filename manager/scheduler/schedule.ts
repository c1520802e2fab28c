/**
 * scheduleTasks: where each task goes. Per group of alike requests (one service), every node runs
 * the static filters once (identical boards share class-level verdicts), the survivors go into a
 * PlacementTree, and tasks are placed one by one on its best node; the dynamic filters (resources,
 * max replicas) are re-checked only for the node that just got a task.
 */
import { DYNAMIC_FILTERS, FILTERS, STATIC_FILTERS, firstFailure, type FilterFailure, type FilterName } from './filters.js';
import { FailureTally, NO_NODES_REASON } from './failure-tally.js';
import { NodeState, nodeStates } from './node-state.js';
import { PlacementTree } from './placement-tree.js';
import { groupRequests, taskGroup, type TaskGroup } from './task-group.js';
import type { PlacementPolicy, PlacementRequest, SchedulableNode, ScheduleResult } from './types.js';

/**
 * Places `requests` on `nodes`. Groups are handled in order of their first request, tasks in request
 * order; placements count against the nodes for the rest of the call. Inputs are not modified, and
 * the result does not depend on the order of `nodes`.
 */
export function scheduleTasks(
  requests: PlacementRequest[],
  nodes: SchedulableNode[],
  policy?: PlacementPolicy,
): ScheduleResult {
  const placements = new Map<string, string>();
  const pending = new Map<string, string>();
  const groups = groupRequests(requests, pending);
  if (nodes.length === 0) {
    for (const group of groups) for (const taskId of group.taskIds) pending.set(taskId, NO_NODES_REASON);
    return { placements, pending };
  }
  const states = nodeStates(nodes, policy);
  for (const group of groups) placeGroup(group, states, placements, pending);
  return { placements, pending };
}

function placeGroup(
  group: TaskGroup,
  states: NodeState[],
  placements: Map<string, string>,
  pending: Map<string, string>,
): void {
  const tally = new FailureTally();
  const tree = new PlacementTree(group);
  const staticFailure = classCachedStaticFilters(group);
  for (const node of states) {
    const failure = staticFailure(node) ?? firstFailure(DYNAMIC_FILTERS, group, node);
    if (failure !== null) tally.add(failure);
    if (failure === null || DYNAMIC_FILTERS.includes(failure.filter)) tree.add(node, failure === null);
  }
  tree.seal();
  // Once no node is left, no node comes back in this call: one reason serves the rest of the group.
  let exhausted: string | undefined;
  for (const taskId of group.taskIds) {
    const choice = tree.best();
    if (choice === null) {
      exhausted ??= tally.reason();
      pending.set(taskId, exhausted);
      continue;
    }
    choice.node.place(group.serviceId, group.reservations, group.specBytes, group.hostPorts);
    placements.set(taskId, choice.node.id);
    const failure = firstFailure(DYNAMIC_FILTERS, group, choice.node);
    if (failure !== null) tally.add(failure);
    tree.placed(choice, failure === null);
  }
}

/**
 * The static filters for one group, with class-level verdicts computed once per equivalence class
 * ("identical boards are checked once"); per-node filters (the policy, constraints on node.id or
 * node.hostname) still run for every node, in their place in the order.
 */
function classCachedStaticFilters(group: TaskGroup): (node: NodeState) => FilterFailure | null {
  const filters = STATIC_FILTERS.filter((filter) => filter.applies(group));
  const shared = filters.map((filter) => filter.perClass(group));
  const verdicts = new Map<number, (string | null | undefined)[]>();
  return (node) => {
    let classVerdicts = verdicts.get(node.classId);
    if (classVerdicts === undefined) {
      classVerdicts = new Array<undefined>(filters.length);
      verdicts.set(node.classId, classVerdicts);
    }
    for (let i = 0; i < filters.length; i++) {
      const filter = filters[i] as (typeof filters)[number];
      let detail: string | null | undefined;
      if (shared[i]) {
        detail = classVerdicts[i];
        if (detail === undefined) detail = classVerdicts[i] = filter.check(group, node);
      } else {
        detail = filter.check(group, node);
      }
      if (detail !== null) return { filter, detail };
    }
    return null;
  };
}

/**
 * Why `request` cannot go to `node` right now: the first filter it fails and the failure's detail
 * (the constraint, the policy's reason), or null when it fits. Evaluates every filter directly.
 */
export function checkNode(
  request: PlacementRequest,
  node: SchedulableNode,
  policy?: PlacementPolicy,
): { filter: FilterName; detail: string } | null {
  const failure = firstFailure(FILTERS, taskGroup(request), new NodeState(node, 0, policy));
  return failure && { filter: failure.filter.name, detail: failure.detail };
}
