/** The files the process driver keeps in a task's folder, and their clean-up. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { taskDir } from '../task-dir.js';
import { removeProcessRecord } from './process-record.js';

export interface ProcessTaskFiles {
  dir: string;
  log: string;
  /** Working directory for tasks whose spec names none. */
  work: string;
}

export function processTaskFiles(stateDir: string, taskId: string): ProcessTaskFiles {
  const dir = taskDir(stateDir, taskId);
  return { dir, log: join(dir, 'output.log'), work: join(dir, 'work') };
}

export function removeProcessTaskFiles(files: ProcessTaskFiles): void {
  removeProcessRecord(files.dir);
  for (const path of [files.log, `${files.log}.1`, files.work]) rmSync(path, { recursive: true, force: true });
}
