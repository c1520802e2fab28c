/** The task lists (`service ps`, `node ps`, `stack ps`): one table, the shared list flags. */
import type { Command } from 'commander';
import type { NodeView, TaskView } from '../../manager/api/views.js';
import type { KelvinClient } from '../client.js';
import { TASK_FILTER_KEYS, taskFilters } from '../filter/matchers.js';
import { addListFlags, checkListFlags, listOutput, type ListFlags } from '../format/list-output.js';
import { taskRow } from '../format/rows.js';
import { nodeNames, taskTable } from '../format/tasks.js';

export function addTaskListFlags(cmd: Command): Command {
  return addListFlags(cmd, TASK_FILTER_KEYS);
}

/** Checks the flags before anything is fetched, so a bad filter costs no request. */
export function checkTaskListFlags(flags: ListFlags): void {
  checkListFlags(flags, taskFilters(new Map()));
}

export async function printTaskList(client: KelvinClient, tasks: TaskView[], flags: ListFlags): Promise<void> {
  const hostnames = nodeNames(await client.get<NodeView[]>('/nodes'));
  listOutput(flags, {
    items: tasks,
    id: (t) => t.id,
    row: (t) => taskRow(t, hostnames),
    human: (items) => taskTable(items, hostnames),
    filters: taskFilters(hostnames),
  });
}
