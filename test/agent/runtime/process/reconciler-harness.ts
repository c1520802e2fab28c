/** A Reconciler over real executors with its reports collected, for the reconciler tests. */
import { Reconciler } from '../../../../agent/runtime/reconciler.js';
import type { Executor } from '../../../../agent/runtime/types.js';
import { ProcessExecutor } from '../../../../agent/runtime/process/index.js';
import { silentLogger } from '../../../../shared/logger.js';
import type { DesiredTaskSet, TaskSpec, TaskState, TaskStatus } from '../../../../shared/payloads/tasks.js';
import { waitFor } from './helpers.js';

export interface Harness {
  reconciler: Reconciler;
  reports: TaskStatus[];
  /** States reported for one task, in order. */
  states(taskId: string): TaskState[];
  latest(taskId: string): TaskStatus | undefined;
  /** Waits until the task's latest reported state is `state`. */
  reach(taskId: string, state: TaskState, timeoutMs?: number): Promise<TaskStatus>;
}

export function harness(stateDir: string, executors?: Executor[]): Harness {
  const reports: TaskStatus[] = [];
  const reconciler = new Reconciler({
    executors: executors ?? [new ProcessExecutor({ stateDir, logger: silentLogger() })],
    stateDir,
    logger: silentLogger(),
    report: (s) => reports.push(s),
  });
  const forTask = (taskId: string): TaskStatus[] => reports.filter((r) => r.taskId === taskId);
  return {
    reconciler,
    reports,
    states: (taskId) => forTask(taskId).map((r) => r.state),
    latest: (taskId) => forTask(taskId).at(-1),
    reach: (taskId, state, timeoutMs) => waitFor(() => forTask(taskId).find((r) => r.state === state), timeoutMs),
  };
}

export function desiredSet(generation: number, tasks: TaskSpec[]): DesiredTaskSet {
  return { v: 1, nodeId: 'node-a', generation, tasks };
}
