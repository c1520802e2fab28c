/**
 * The filters, in the fixed order they run: cheapest and most telling first. Each names the detail
 * of a failure (the constraint that failed, the policy's reason) so pending tasks can say why.
 */
import { matchConstraints } from '../../shared/constraints/index.js';
import { anyPlatformFits, boardPlatform } from '../../shared/image-platform.js';
import { MAX_DESIRED_SET_BYTES } from '../../shared/wire.js';
import type { NodeState } from './node-state.js';
import type { TaskGroup } from './task-group.js';

export type FilterName =
  | 'ready'
  | 'availability'
  | 'policy'
  | 'driver'
  | 'constraints'
  | 'devices'
  | 'platform'
  | 'resources'
  | 'desiredSet'
  | 'hostPorts'
  | 'maxReplicas';

export interface Filter {
  readonly name: FilterName;
  /** Whether the task asks anything of this filter; filters that do not apply are skipped. */
  applies(group: TaskGroup): boolean;
  /** Whether the verdict depends only on the node's equivalence class, so identical boards share it. */
  perClass(group: TaskGroup): boolean;
  /** null when the node passes, else the failure's detail. */
  check(group: TaskGroup, node: NodeState): string | null;
  /** Human text for `count` nodes that failed with `detail`, Swarm style. */
  explain(count: number, detail: string): string;
}

const always = (): boolean => true;
const never = (): boolean => false;

function nodes(count: number): string {
  return count === 1 ? '1 node' : `${count} nodes`;
}

const ready: Filter = {
  name: 'ready',
  applies: always,
  perClass: always,
  check: (_group, node) => (node.node.ready ? null : ''),
  explain: (count) => `${nodes(count)} not ready`,
};

const availability: Filter = {
  name: 'availability',
  applies: always,
  perClass: always,
  check: (_group, node) => (node.node.availability === 'active' ? null : node.node.availability),
  explain: (count, detail) => `${nodes(count)} ${detail === 'pause' ? 'paused' : 'drained'}`,
};

/** The heat and power policy: its reason is the user's answer, so it is shown as given. */
const policy: Filter = {
  name: 'policy',
  applies: always,
  perClass: never,
  check: (_group, node) => node.refusedBecause(),
  explain: (count, detail) => (count === 1 ? detail : `${detail} (${nodes(count)})`),
};

const driver: Filter = {
  name: 'driver',
  applies: always,
  perClass: always,
  check: (group, node) => (node.node.drivers.includes(group.driver) ? null : group.driver),
  explain: (count, detail) => `${nodes(count)} cannot run ${detail} tasks`,
};

const constraints: Filter = {
  name: 'constraints',
  applies: (group) => group.constraints.length > 0,
  perClass: (group) => !group.constraintsNameNodes,
  check: (group, node) => matchConstraints(group.constraints, node.node.subject)?.text ?? null,
  explain: (count, detail) => `${nodes(count)} failed ${detail}`,
};

/** Devices the service maps (`--device`): only boards that report them. */
const devices: Filter = {
  name: 'devices',
  applies: (group) => group.devices.length > 0,
  perClass: always,
  check: (group, node) => group.devices.find((d) => !(node.node.subject.devices ?? []).includes(d)) ?? null,
  explain: (count, detail) => `no node has ${detail} (${nodes(count)})`,
};

const platform: Filter = {
  name: 'platform',
  applies: (group) => group.platforms.length > 0,
  perClass: always,
  check: (group, node) => {
    const { os, arch } = node.node.subject.platform;
    return anyPlatformFits(group.platforms, boardPlatform(os, arch)) ? null : `${os}/${arch}`;
  },
  explain: (count) => `unsupported platform on ${nodes(count)}`,
};

const resources: Filter = {
  name: 'resources',
  applies: (group) => group.reservedMilliCpus > 0 || group.reservations.memoryBytes > 0 || group.reservations.gpus > 0,
  perClass: never,
  check: (group, node) =>
    group.reservedMilliCpus <= node.freeMilliCpus &&
    group.reservations.memoryBytes <= node.freeMemoryBytes &&
    group.reservations.gpus <= node.freeGpus
      ? null
      : '',
  explain: (count) => `insufficient resources on ${nodes(count)}`,
};

/** A node's desired set travels as one message under the wire's limit: a task that would overflow it goes elsewhere. */
const desiredSet: Filter = {
  name: 'desiredSet',
  applies: (group) => group.specBytes > 0,
  perClass: never,
  check: (group, node) => (group.specBytes <= node.freeDesiredSetBytes ? null : ''),
  explain: (count) => `desired set full on ${nodes(count)} (${MAX_DESIRED_SET_BYTES} bytes each)`,
};

/** A host-mode port is a node resource: one task publishing it per board (swarmkit's HostPortFilter). */
const hostPorts: Filter = {
  name: 'hostPorts',
  applies: (group) => group.hostPorts.length > 0,
  perClass: never,
  check: (group, node) => (node.hostPortInUse(group.hostPorts) ? '' : null),
  explain: (count) => `host-mode port already in use on ${nodes(count)}`,
};

const maxReplicas: Filter = {
  name: 'maxReplicas',
  applies: (group) => group.maxReplicasPerNode > 0,
  perClass: never,
  check: (group, node) => (node.tasksOf(group.serviceId) < group.maxReplicasPerNode ? null : ''),
  explain: () => 'max replicas per node limit exceed',
};

/** Verdicts that cannot change while tasks are placed in one call. */
export const STATIC_FILTERS: readonly Filter[] = [ready, availability, policy, driver, constraints, devices, platform];
/** Verdicts that change as tasks land on a node: re-checked for the node after each placement. */
export const DYNAMIC_FILTERS: readonly Filter[] = [resources, desiredSet, hostPorts, maxReplicas];
export const FILTERS: readonly Filter[] = [...STATIC_FILTERS, ...DYNAMIC_FILTERS];

export interface FilterFailure {
  filter: Filter;
  detail: string;
}

/** The first of `filters` (that applies to the group) the node fails, or null. */
export function firstFailure(filters: readonly Filter[], group: TaskGroup, node: NodeState): FilterFailure | null {
  for (const filter of filters) {
    if (!filter.applies(group)) continue;
    const detail = filter.check(group, node);
    if (detail !== null) return { filter, detail };
  }
  return null;
}
