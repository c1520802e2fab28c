/**
 * Where a task's files live on the agent: <stateDir>/tasks/<taskId>/. The reconciler keeps its
 * record there, the process driver its pid record, output log and default working directory.
 * Task ids come from the manager over the network, so they are checked before they name a path.
 */
import { join } from 'node:path';

const SAFE_TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function isSafeTaskId(taskId: string): boolean {
  return SAFE_TASK_ID.test(taskId) && !taskId.includes('..');
}

export function tasksRoot(stateDir: string): string {
  return join(stateDir, 'tasks');
}

/** Throws when the id could escape the tasks folder; callers check isSafeTaskId first. */
export function taskDir(stateDir: string, taskId: string): string {
  if (!isSafeTaskId(taskId)) throw new Error(`task id ${JSON.stringify(taskId)} is not a safe folder name`);
  return join(tasksRoot(stateDir), taskId);
}
