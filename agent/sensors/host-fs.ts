/**
 * Every sysfs and procfs read goes through here, under one host root: `/` on a real board, a
 * fixture directory in tests. Sensors come and go (VMs, containers, hot-plug), so a read never
 * throws: a missing file is null, quietly; any other failure (EACCES, EIO, ELOOP, EISDIR) is null
 * and logged once per path, so a broken sensor cannot flood the log at one line per second.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../shared/logger.js';

const QUIET_CODES = new Set(['ENOENT', 'ENOTDIR', 'ENODATA']);

export class HostFs {
  private readonly reported = new Set<string>();

  constructor(
    readonly root: string,
    private readonly logger: Logger,
  ) {}

  /** Absolute path of `rel` (for example `sys/class/thermal`) under the host root. */
  path(rel: string): string {
    return join(this.root, rel);
  }

  /** File contents with trailing whitespace and device-tree NULs removed; null when unreadable. */
  async readText(rel: string): Promise<string | null> {
    try {
      const text = await readFile(this.path(rel), 'utf8');
      return text.replace(/\0+$/, '').trimEnd();
    } catch (err) {
      this.report(rel, err);
      return null;
    }
  }

  /** Entry names of a directory, sorted naturally (thermal_zone2 before thermal_zone10); [] when unreadable. */
  async list(rel: string): Promise<string[]> {
    try {
      const names = await readdir(this.path(rel));
      return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    } catch (err) {
      this.report(rel, err);
      return [];
    }
  }

  /** Target of a symlink as written (it may dangle in a fixture); null when not a link. */
  async readLink(rel: string): Promise<string | null> {
    try {
      return await readlink(this.path(rel));
    } catch {
      return null;
    }
  }

  /** True when `rel` resolves to a directory (following links); a link loop is reported and false. */
  async isDir(rel: string): Promise<boolean> {
    try {
      return (await stat(this.path(rel))).isDirectory();
    } catch (err) {
      this.report(rel, err);
      return false;
    }
  }

  private report(rel: string, err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code ?? 'ERROR';
    if (QUIET_CODES.has(code) || this.reported.has(rel)) return;
    this.reported.add(rel);
    this.logger.warn({ path: this.path(rel), code }, 'cannot read sensor file; treating it as absent');
  }
}
