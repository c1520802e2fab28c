/** The whole set of tasks a node should run, as one retained message, and its content digest. */
import { createHash } from 'node:crypto';
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

export function desiredSetMessage(nodeId: string, generation: number, tasks: TaskSpec[]): DesiredTaskSet {
  return { v: 1, nodeId, generation, tasks };
}
