/** The whole set of tasks a node should run, as one retained message, and its content digest. */
import { createHash } from 'node:crypto';
import { isTerminal, type DesiredTaskSet, type TaskSpec } from '../../shared/payloads/tasks.js';
import type { TaskRecord } from '../store/records.js';

/** Tasks placed on the node that should be running and have not ended. */
export function desiredTasks(tasks: TaskRecord[], nodeId: string): TaskSpec[] {
  return tasks
    .filter((t) => t.nodeId === nodeId && t.desiredState === 'running' && t.state !== 'pending' && !isTerminal(t.state))
    .map((t) => t.spec);
}

export function digestOf(tasks: TaskSpec[]): string {
  return createHash('sha256').update(JSON.stringify(tasks)).digest('hex');
}

export function desiredSetMessage(nodeId: string, generation: number, tasks: TaskSpec[]): DesiredTaskSet {
  return { v: 1, nodeId, generation, tasks };
}
