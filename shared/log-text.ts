/**
 * Log lines for people: `14:02:07.153 WARN  agent: broker connection error err=ECONNREFUSED`, from
 * the JSON lines pino writes. An error shows its message, never its stack (the JSON format keeps
 * it). Values are made terminal-safe: a board's hostname cannot drive the terminal.
 */
import { writeSync } from 'node:fs';
import { terminalSafe } from '../cli/terminal-safe.js';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Fields every line has, shown in the prefix (or not at all) rather than as key=value. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'component', 'msg', 'v']);

function value(v: unknown): string {
  if (v instanceof Object && 'message' in v && typeof (v as { message: unknown }).message === 'string') return (v as { message: string }).message;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(text) && typeof v === 'string' ? JSON.stringify(text) : text;
}

export function formatLogLine(json: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const label = (LEVELS[level] ?? String(level)).padEnd(5);
  const who = [entry.name, entry.component].filter((x) => typeof x === 'string' && x !== '').join('/');
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${value(v)}`);
  const line = terminalSafe([`${who}:`, String(entry.msg ?? ''), ...fields].join(' '));
  return `${time} ${color ? `\x1b[${COLORS[level] ?? '0'}m${label}\x1b[0m` : label} ${line}\n`;
}

/** A pino destination writing human lines to `fd`, synchronously (as pino.destination(2) does). */
export function textDestination(fd: number, color: boolean): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line.trim() !== '') writeSync(fd, formatLogLine(line, color));
    },
  };
}
