/**
 * What the process driver remembers about a task it spawned (<taskDir>/process.json): enough to
 * find the process again after an agent restart and to tell it from an unrelated process that
 * reused its pid (the start time from /proc/<pid>/stat differs).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../atomic-file.js';
import type { ExitInfo } from '../types.js';

export const PROCESS_RECORD_FILE = 'process.json';

const processRecord = z.object({
  taskId: z.string(),
  /** The leader's pid: also the task's session and process group id. */
  pid: z.number().int().positive(),
  /** Field 22 of /proc/<pid>/stat when the task started. */
  startTicks: z.number().int().nonnegative(),
  startedAt: z.number().int().nonnegative(),
  /** Set once the task ended while the agent watched it. */
  exit: z
    .object({ exitCode: z.number().int().nullable(), signal: z.string().nullable(), error: z.string().nullable() })
    .nullable(),
});
export type ProcessRecord = z.infer<typeof processRecord>;

export function writeProcessRecord(dir: string, record: ProcessRecord): void {
  writeFileAtomic(join(dir, PROCESS_RECORD_FILE), JSON.stringify(record));
}

export function readProcessRecord(dir: string): ProcessRecord | null {
  const parsed = processRecord.safeParse(readJsonFile(join(dir, PROCESS_RECORD_FILE)));
  return parsed.success ? parsed.data : null;
}

export function recordExit(dir: string, record: ProcessRecord, exit: ExitInfo): void {
  if (existsSync(dir)) writeProcessRecord(dir, { ...record, exit });
}

export function removeProcessRecord(dir: string): void {
  rmSync(join(dir, PROCESS_RECORD_FILE), { force: true });
}
