/** Log lines as `docker service logs` prints them: `<ts> <task id short> | <text>`. */
import type { LogsStreamItem } from '../../manager/api/logs-stream.js';
import type { LogLine } from '../../shared/payloads/logs.js';
import { shortId } from './tasks.js';

export function logLine(line: LogLine): string {
  return `${new Date(line.ts).toISOString()} ${shortId(line.taskId)} | ${line.text}`;
}

/** stdout lines to stdout, stderr lines and the manager's warnings to stderr, as docker does. */
export function printLogItem(item: LogsStreamItem): void {
  if ('warning' in item) process.stderr.write(`kelvin: ${item.warning}\n`);
  else (item.stream === 'stderr' ? process.stderr : process.stdout).write(`${logLine(item)}\n`);
}
