/**
 * The last lines of tasks this agent has removed. The manager drops a task from the node's desired
 * set once it has ended (a `--restart-condition none` job that completed, a replaced replica), and
 * the agent then removes its container or log file; Swarm keeps a finished task's logs until its
 * history is pruned, so `kelvin service logs` of a job that ran to completion must still answer.
 * Kept in memory and bounded both per task and in total: oldest tasks are forgotten first.
 */
import type { LogLine } from '../../shared/payloads/logs.js';
import type { LogOptions } from './types.js';

/** Per task: what `service logs --tail 500` of a finished job would want. */
export const FINISHED_LOG_LINES = 500;
/** Tasks remembered; a board running many short jobs keeps the most recent ones. */
export const FINISHED_LOG_TASKS = 64;
const MAX_TASK_BYTES = 256 * 1024;

export class FinishedLogs {
  private readonly tasks = new Map<string, LogLine[]>();

  /** Keeps the last lines of `lines` (up to the per-task bounds) for a task being removed. */
  async keep(taskId: string, lines: AsyncIterable<LogLine>): Promise<void> {
    const kept: LogLine[] = [];
    for await (const line of lines) {
      kept.push(line);
      if (kept.length > FINISHED_LOG_LINES) kept.shift();
    }
    let bytes = 0;
    let from = kept.length;
    while (from > 0 && bytes + (kept[from - 1]?.text.length ?? 0) <= MAX_TASK_BYTES) bytes += kept[--from]?.text.length ?? 0;
    this.tasks.delete(taskId);
    this.tasks.set(taskId, kept.slice(from));
    for (const oldest of this.tasks.keys()) {
      if (this.tasks.size <= FINISHED_LOG_TASKS) break;
      this.tasks.delete(oldest);
    }
  }

  /** The kept lines of a removed task as a log stream (it has ended: `follow` stops at the end); null when unknown. */
  logs(taskId: string, options: LogOptions): AsyncIterable<LogLine> | null {
    const lines = this.tasks.get(taskId);
    if (!lines) return null;
    const shown = options.tail === null ? lines : lines.slice(Math.max(0, lines.length - options.tail));
    return (async function* () {
      yield* shown;
    })();
  }
}
