/**
 * Output conventions shared by every command: docker-like tables and lines for people, bare JSON
 * for scripts. Everything meant for people passes terminalSafe here, so no command can print a
 * board's control characters by forgetting to.
 */
import { terminalSafe } from './terminal-safe.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to the widest cell, upper-case headers, three spaces apart, as `docker ps` does. */
export function formatTable(headers: string[], rawRows: string[][]): string {
  const rows = rawRows.map((r) => r.map(terminalSafe));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n') + '\n';
}

export function printTable(headers: string[], rows: string[][]): void {
  process.stdout.write(formatTable(headers, rows));
}

/** Lines for people (`inspect --pretty`, event, alert and log lines), each made terminal-safe, newline-terminated. */
export function formatLines(lines: readonly string[]): string {
  return lines.map((l) => `${terminalSafe(l)}\n`).join('');
}

/**
 * A reader that stops early (`kelvin events | head -1`) closes the pipe: the next write fails with
 * EPIPE, and kelvin then exits at once and quietly, as `git log | head` does, wherever it was.
 */
export function exitQuietlyWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}
