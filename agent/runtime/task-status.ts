/** Builds the TaskStatus payloads the agent reports, and maps how a task ended to a Swarm state. */
import type { TaskState, TaskStatus } from '../../shared/payloads/tasks.js';
import type { ExitInfo } from './types.js';

/** `applied`: the generation (and incarnation) of the desired set the agent converges on. */
export function assignedStatus(taskId: string, applied: Pick<TaskStatus, 'generation' | 'incarnation'>, ts: number): TaskStatus {
  return {
    v: 1,
    taskId,
    ...applied,
    state: 'assigned',
    exitCode: null,
    signal: null,
    error: null,
    message: 'assigned to this node',
    runtimeId: null,
    throttled: false,
    ts,
    startedAt: null,
    finishedAt: null,
  };
}

export interface EndedState {
  state: TaskState;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  message: string;
}

/** `shutdown` when the agent stopped it, `complete` on a clean exit 0, `failed` otherwise. */
export function endedState(exit: ExitInfo, stoppedByAgent: boolean): EndedState {
  const base = { exitCode: exit.exitCode, signal: exit.signal };
  if (stoppedByAgent) return { ...base, state: 'shutdown', error: null, message: 'stopped: no longer desired on this node' };
  if (exit.exitCode === 0 && exit.signal === null && exit.error === null) {
    return { ...base, state: 'complete', error: null, message: 'finished (exit code 0)' };
  }
  const error = exit.error ?? (exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.exitCode ?? 'unknown'}`);
  return { ...base, state: 'failed', error, message: `failed: ${error}` };
}

/** The end of a task the agent stopped because its health check turned unhealthy. */
export function unhealthyEnd(exit: ExitInfo, reason: string): EndedState {
  return { exitCode: exit.exitCode, signal: exit.signal, state: 'failed', error: reason, message: `failed: ${reason}` };
}
