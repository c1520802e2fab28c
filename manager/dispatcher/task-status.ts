/**
 * Applying a task-status report. Only the node a task is assigned to may report on it; a task
 * never moves backwards (running -> starting) and never leaves a terminal state; the manager owns
 * `pending` and `assigned`. Times are the manager's receive times, so restart delays do not depend
 * on a board's clock.
 */
import { isTerminal, TASK_STATES, type TaskState, type TaskStatus } from '../../shared/payloads/tasks.js';
import { formatPlatform, MAX_IMAGE_PLATFORMS, type ImagePlatform } from '../../shared/image-platform.js';
import type { TaskRecord } from '../store/records.js';

export type StatusPatch = Partial<Pick<TaskRecord, 'state' | 'exitCode' | 'error' | 'message' | 'runtimeId' | 'startedAt' | 'finishedAt' | 'health' | 'healthLog'>>;

function rank(state: TaskState): number {
  return isTerminal(state) ? TASK_STATES.length : TASK_STATES.indexOf(state);
}

/**
 * The change to store, or the reason the report is ignored; `foreign` when the node reported on a
 * task that is not its own (a rejection worth counting, unlike a late report of an ended task).
 */
export function applyTaskStatus(
  task: TaskRecord | null,
  reporter: string,
  status: TaskStatus,
  now: number,
): { patch: StatusPatch } | { ignored: string; foreign?: true } {
  if (!task) return { ignored: `unknown task ${status.taskId}` };
  if (task.nodeId !== reporter) return { ignored: `task ${task.id} is not assigned to node ${reporter}`, foreign: true };
  if (isTerminal(task.state)) return { ignored: `task ${task.id} already ended (${task.state})` };
  if (status.state === 'pending' || status.state === 'assigned') return { ignored: `agents do not report ${status.state}` };
  if (rank(status.state) < rank(task.state)) return { ignored: `task ${task.id} does not go back from ${task.state} to ${status.state}` };
  const patch: StatusPatch = {
    state: status.state,
    exitCode: status.exitCode,
    error: status.error,
    message: status.message,
    runtimeId: status.runtimeId ?? task.runtimeId,
  };
  // [health] absent from agents that predate health checks: the stored health stays as it is.
  if (status.health !== undefined) patch.health = status.health;
  if (status.healthLog !== undefined) patch.healthLog = status.healthLog;
  if (status.state === 'running' && task.startedAt === null) patch.startedAt = now;
  if (isTerminal(status.state)) patch.finishedAt = now;
  return { patch };
}

/**
 * What a rejection for the image's platform teaches: the platforms the image has, added to those
 * already known. Only about the task's own image as the manager sent it (a board can speak for
 * nothing else), and only from a report applyTaskStatus accepted.
 */
export function learnedImagePlatforms(
  task: TaskRecord,
  status: TaskStatus,
  knownOf: (image: string) => readonly ImagePlatform[] | null,
): { image: string; platforms: ImagePlatform[] } | null {
  if (status.state !== 'rejected' || !status.imagePlatforms || task.spec.driver !== 'docker' || task.spec.image === null) return null;
  const merged = new Map((knownOf(task.spec.image) ?? []).map((p) => [formatPlatform(p), p]));
  for (const p of status.imagePlatforms) merged.set(formatPlatform(p), p);
  return { image: task.spec.image, platforms: [...merged.values()].slice(-MAX_IMAGE_PLATFORMS) };
}
