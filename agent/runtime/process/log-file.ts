/**
 * A task's output on disk (<taskDir>/output.log), one `<ISO time> <text>` line per output line so
 * the timestamps survive an agent restart. Capped: past `capBytes` the file moves to output.log.1
 * (replacing the previous one) and a fresh one starts, so a task keeps at most twice the cap.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import type { LogLine } from '../../../shared/payloads/logs.js';

export const DEFAULT_LOG_CAP_BYTES = 1024 * 1024;
const ISO_LENGTH = 24;

export class LogFile {
  private fd: number | null = null;
  private size = 0;

  constructor(
    readonly path: string,
    private readonly capBytes = DEFAULT_LOG_CAP_BYTES,
  ) {}

  /** One write per batch, split only where the cap falls inside it. */
  append(lines: readonly LogLine[]): void {
    let batch = '';
    let batchBytes = 0;
    if (this.fd === null) this.open();
    for (const l of lines) {
      const text = `${new Date(l.ts).toISOString()} ${l.text}\n`;
      const bytes = Buffer.byteLength(text);
      if (this.size + batchBytes > 0 && this.size + batchBytes + bytes > this.capBytes) {
        this.write(batch, batchBytes);
        this.rotate();
        batch = '';
        batchBytes = 0;
      }
      batch += text;
      batchBytes += bytes;
    }
    this.write(batch, batchBytes);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private write(text: string, bytes: number): void {
    if (bytes === 0) return;
    writeSync(this.fd as number, text);
    this.size += bytes;
  }

  private open(): void {
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = statSync(this.path).size;
  }

  private rotate(): void {
    this.close();
    renameSync(this.path, `${this.path}.1`);
    this.open();
  }
}

function parseLine(taskId: string, line: string): LogLine | null {
  const ts = Date.parse(line.slice(0, ISO_LENGTH));
  if (Number.isNaN(ts)) return null;
  // node-pty gives one merged stream, so every line is stdout (see ProcessController).
  return { taskId, ts, stream: 'stdout', text: line.slice(ISO_LENGTH + 1) };
}

/** The lines kept on disk, oldest first (rotated file, then the current one). */
export function readLogFile(path: string, taskId: string): LogLine[] {
  const out: LogLine[] = [];
  for (const file of [`${path}.1`, path]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const parsed = parseLine(taskId, line);
      if (parsed) out.push(parsed);
    }
  }
  return out;
}
