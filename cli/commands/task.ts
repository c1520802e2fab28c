/** `kelvin task logs TASK`: one task's lines, fetched from the agent running it. */
import type { Command } from 'commander';
import { printLogs } from './service.js';

export function registerTask(program: Command): void {
  const task = program.command('task').description('Inspect tasks: logs');
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
