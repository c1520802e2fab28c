/** The whole set of tasks a node should run, as one retained message, and its content digest. */
import { createHash, randomBytes } from 'node:crypto';
import { isTerminal, type DesiredTaskSet, type TaskSpec } from '../../shared/payloads/tasks.js';
import type { TaskRecord } from '../store/records.js';

/** The CPU cap the heat policy puts on a task on a node now; null = unthrottled. */
export type ThrottleOf = (nodeId: string, task: TaskSpec) => TaskSpec['throttle'];

/** Tasks placed on the node that should be running and have not ended, each with its current throttle. */
export function desiredTasks(tasks: TaskRecord[], nodeId: string, throttleOf: ThrottleOf = () => null): TaskSpec[] {
  return tasks
    .filter((t) => t.nodeId === nodeId && t.desiredState === 'running' && t.state !== 'pending' && !isTerminal(t.state))
    .map((t) => ({ ...t.spec, throttle: throttleOf(nodeId, t.spec) }));
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
