/**
 * Crash-safe small files: write a temp file next to the target, then rename over it. A reader
 * after a crash sees either the old or the new content, never half of one.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Parsed JSON, or null when the file is missing or not JSON (callers validate the shape). */
export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return null;
  }
}
