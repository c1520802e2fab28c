/** The whole set of tasks a node should run, as one retained message, and its content digest. */
import { createHash, randomBytes } from 'node:crypto';
import { isTerminal, type DesiredTaskSet, type TaskSpec } from '../../shared/payloads/tasks.js';
import type { TaskHost } from '../../shared/payloads/endpoints.js';
import type { TaskRecord } from '../store/records.js';
import { DESIRED_SET_ENVELOPE_BYTES, MAX_DESIRED_SET_BYTES } from '../../shared/wire.js';

/** The CPU cap the heat policy puts on a task on a node now; null = unthrottled. */
export type ThrottleOf = (nodeId: string, task: TaskSpec) => TaskSpec['throttle'];

/** The names a service's tasks reach other services by (manager/mesh/service-names.ts). */
export type HostsOf = (serviceId: string) => TaskHost[];

/**
 * Tasks placed on the node that should be running and have not ended, each with its current
 * throttle and the names it can reach now (an agent takes a task's names when it starts it).
 */
export function desiredTasks(tasks: TaskRecord[], nodeId: string, throttleOf: ThrottleOf = () => null, hostsOf: HostsOf = () => []): TaskSpec[] {
  return tasks
    .filter((t) => t.nodeId === nodeId && t.desiredState === 'running' && t.state !== 'pending' && !isTerminal(t.state))
    .map((t) => {
      const hosts = hostsOf(t.serviceId);
      return { ...t.spec, throttle: throttleOf(nodeId, t.spec), ...(hosts.length > 0 ? { hosts } : {}) };
    });
}

/**
 * The oldest tasks that fit in one desired-set message; the newest additions are held back. The
 * scheduler keeps sets under the limit, so this only guards against a set that grew anyway (a
 * throttle added, tasks placed before an upgrade): the node still gets its removals and fencing.
 */
export function fitDesiredSet(tasks: TaskSpec[]): { kept: TaskSpec[]; heldBack: number } {
  let bytes = DESIRED_SET_ENVELOPE_BYTES;
  let n = 0;
  for (const task of tasks) {
    bytes += Buffer.byteLength(JSON.stringify(task)) + 1;
    if (bytes > MAX_DESIRED_SET_BYTES) break;
    n++;
  }
  return { kept: n === tasks.length ? tasks : tasks.slice(0, n), heldBack: tasks.length - n };
}

export function digestOf(tasks: TaskSpec[]): string {
  return createHash('sha256').update(JSON.stringify(tasks)).digest('hex');
}

/** A fresh manager incarnation (see DesiredTaskSet.incarnation): made at every manager start. */
export function newIncarnation(): string {
  return randomBytes(8).toString('hex');
}

export function desiredSetMessage(nodeId: string, incarnation: string, generation: number, tasks: TaskSpec[]): DesiredTaskSet {
  return { v: 1, nodeId, incarnation, generation, tasks };
}

/** The last set a removed node gets: nothing to run, and the word that it is out of the cluster. */
export function removedSetMessage(nodeId: string, incarnation: string, generation: number): DesiredTaskSet {
  return { v: 1, nodeId, incarnation, generation, tasks: [], removed: true };
}
