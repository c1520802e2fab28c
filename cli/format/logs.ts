/** Log lines as `docker service logs` prints them: `<ts> <task id short> | <text>`. */
import type { LogsStreamItem } from '../../manager/api/logs-stream.js';
import type { LogLine } from '../../shared/payloads/logs.js';
import { terminalSafe } from '../terminal-safe.js';
import { shortId } from './tasks.js';

/** The header (time, task) is made terminal-safe; the text is the task's own output, passed through as `docker logs` does. */
export function logLine(line: LogLine): string {
  return `${new Date(line.ts).toISOString()} ${terminalSafe(shortId(line.taskId))} | ${line.text}`;
}

/** stdout lines to stdout, stderr lines and the manager's warnings to stderr, as docker does. */
export function printLogItem(item: LogsStreamItem): void {
  if ('warning' in item) process.stderr.write(`kelvin: ${terminalSafe(item.warning)}\n`);
  else (item.stream === 'stderr' ? process.stderr : process.stdout).write(`${logLine(item)}\n`);
}
