/**
 * Answers a logs request for one or many tasks as NDJSON. Without follow, every task's lines are
 * collected, merged by timestamp and sent; with follow, lines go out as each node sends them until
 * the client disconnects, which cancels the streams on the nodes. A node that fails to answer
 * becomes a `{"warning": ...}` item rather than cutting off the other tasks' lines.
 */
import type { ServerResponse } from 'node:http';
import type { LogLine } from '../../shared/payloads/logs.js';
import type { LogsRelay } from '../logs-relay.js';
import { startNdjson } from './ndjson.js';

export interface LogSource {
  taskId: string;
  nodeId: string;
}

export interface LogsStreamItemWarning {
  warning: string;
}

export type LogsStreamItem = LogLine | LogsStreamItemWarning;

export interface LogsStreamQuery {
  tail: number | null;
  follow: boolean;
  signal: AbortSignal;
}

export async function sendLogs(res: ServerResponse, relay: LogsRelay, sources: LogSource[], q: LogsStreamQuery): Promise<void> {
  const out = startNdjson(res);
  const warnings: LogsStreamItemWarning[] = [];
  const collected: LogLine[] = [];
  await Promise.all(
    sources.map(async (s) => {
      try {
        for await (const line of relay.stream(s.nodeId, s.taskId, q)) {
          if (q.follow) out.write(line);
          else collected.push(line);
        }
      } catch (err) {
        const warning = { warning: `task ${s.taskId}: ${(err as Error).message}` };
        if (q.follow) out.write(warning);
        else warnings.push(warning);
      }
    }),
  );
  // Stable sort keeps each task's own order for lines in the same millisecond.
  for (const line of collected.sort((a, b) => a.ts - b.ts)) out.write(line);
  for (const w of warnings) out.write(w);
  out.end();
}
