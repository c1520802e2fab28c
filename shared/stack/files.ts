/**
 * What the stack parser may read besides the stack file: files named relative to it (`env_file`,
 * relative bind mount sources). The CLI passes the real ones; the parser itself does no I/O, so
 * without them such references are an error rather than a silent guess.
 */
import { isAbsolute, join, normalize } from 'node:path';

export interface StackFiles {
  /** The stack file's folder (absolute). */
  dir: string;
  /** A file's text; throws an Error whose message says why it cannot be read. */
  readFile(path: string): string;
}

/** `path` as written in the stack file, made absolute against the file's folder. */
export function stackPath(files: StackFiles, path: string): string {
  return isAbsolute(path) ? normalize(path) : join(files.dir, path);
}

/**
 * An env file as `docker stack deploy` reads it: `KEY=value` lines, `#` comments and blank lines
 * skipped, one pair of surrounding quotes removed, a bare `KEY` taken from `env` (left out when unset).
 * Returns the variables, or the first bad line's problem.
 */
export function parseEnvFile(text: string, env: Record<string, string | undefined>): { vars: Record<string, string> } | { error: string } {
  const vars: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/^\s*export\s+/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) return { error: `line ${index + 1}: '${line.slice(0, 40)}' is not KEY=value` };
    if (eq < 0) {
      const value = env[key];
      if (value !== undefined) vars[key] = value;
      continue;
    }
    const value = line.slice(eq + 1).trim();
    const quoted = /^(["'])(.*)\1$/.exec(value);
    vars[key] = quoted ? (quoted[2] ?? '') : value;
  }
  return { vars };
}
