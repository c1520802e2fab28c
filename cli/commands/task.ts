/** `kelvin task inspect TASK...` (JSON, health results included) and `kelvin task logs TASK`. */
import type { Command } from 'commander';
import type { TaskView } from '../../manager/api/views.js';
import { KelvinClient } from '../client.js';
import { printJson } from '../output.js';
import { printLogs } from './service.js';

export function registerTask(program: Command): void {
  const task = program.command('task').description('Inspect tasks: inspect, logs');
  task
    .command('inspect')
    .description('Show tasks in detail (JSON), with the last health check results')
    .argument('<task...>', 'id or unique id prefix')
    .action(async (ids: string[]) => {
      const client = KelvinClient.fromEnv();
      printJson(await Promise.all(ids.map((id) => client.get<TaskView>(`/tasks/${encodeURIComponent(id)}`))));
    });
  task
    .command('logs')
    .description("Print a task's log (id or unique id prefix)")
    .argument('<task>')
    .option('-f, --follow', 'keep printing new lines')
    .option('--tail <n>', 'only the last N lines (default: all)')
    .action(async (id: string, flags: { follow?: boolean; tail?: string }) => {
      await printLogs(`/tasks/${encodeURIComponent(id)}/logs`, flags);
    });
  for (const sub of task.commands) sub.exitOverride().configureOutput(program.configureOutput());
}
