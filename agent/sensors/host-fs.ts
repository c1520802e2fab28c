/**
 * Every sysfs and procfs read goes through here, under one host root: `/` on a real board, a
 * fixture directory in tests. Sensors come and go (VMs, containers, hot-plug), so a read never
 * throws and never waits long:
 * - a missing file is null, quietly;
 * - a file that is there but cannot be read now is null and *stale*: not a regular file (a FIFO,
 *   socket or device is never opened), larger than an attribute can be, no answer within
 *   SENSOR_READ_TIMEOUT_MS (bounded-read.ts and read-gate.ts say how), EACCES, EIO, ELOOP.
 *   A stale file is logged when it goes stale and again when it reads again, each once, and at
 *   most once a minute per file, so a broken or flapping sensor cannot flood the log;
 *   `recording()` views list the stale files so the sample can report them in telemetry.
 */
import { readdir, readlink, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../../shared/logger.js';
import { ATTRIBUTE_MAX_BYTES, readBoundedFile, type BoundedRead, type FileReader } from './bounded-read.js';
import { ReadGate, type Gated } from './read-gate.js';

/** A sensor read that has not answered by then is abandoned and the sensor read as stale. */
export const SENSOR_READ_TIMEOUT_MS = 200;
/** Threads of libuv's pool (4 by default) that sensor reads, hung ones included, may hold at once. */
export const SENSOR_READ_SLOTS = 2;
/** A file that goes stale again within this long of its last warning is not logged again. */
const RELOG_AFTER_MS = 60_000;

const QUIET_CODES = new Set(['ENOENT', 'ENOTDIR', 'ENODATA']);

export interface HostFsOptions {
  /** How a file is read; tests give one that hangs like a stuck driver. */
  readFile?: FileReader;
  now?: () => number;
}

interface Episode {
  /** The file is failing now. */
  open: boolean;
  /** This episode was logged (so its end is logged too). */
  logged: boolean;
  loggedAt: number;
}

export class HostFs {
  private readonly gate: ReadGate;
  private readonly readFile: FileReader;
  private readonly now: () => number;
  private readonly episodes = new Map<string, Episode>();
  /** Files this view failed to read; null on the instance `recording()` is called on. */
  private failed: Set<string> | null = null;

  constructor(
    readonly root: string,
    private readonly logger: Logger,
    options: HostFsOptions = {},
  ) {
    this.readFile = options.readFile ?? readBoundedFile;
    this.now = options.now ?? Date.now;
    this.gate = new ReadGate({
      slots: SENSOR_READ_SLOTS,
      timeoutMs: SENSOR_READ_TIMEOUT_MS,
      // Debug only: a sensor that always answers in 250 ms would otherwise log this every second.
      onLateFinish: (dir, elapsedMs) => this.logger.debug({ dir: this.path(dir), afterMs: Math.round(elapsedMs) }, 'an abandoned sensor read answered'),
    });
  }

  /**
   * A view sharing this HostFs's gate and log state (a shallow copy: all its state is in shared
   * objects) that also lists the files it could not read: one per sample, so concurrent fact
   * discovery never shows up in a sample's stale list.
   */
  recording(): { fs: HostFs; stale: () => string[] } {
    const failed = new Set<string>();
    const view = Object.assign(Object.create(HostFs.prototype) as HostFs, this, { failed });
    return { fs: view, stale: () => [...failed].sort() };
  }

  /** Absolute path of `rel` (for example `sys/class/thermal`) under the host root. */
  path(rel: string): string {
    return join(this.root, rel);
  }

  /**
   * File contents with trailing whitespace and device-tree NULs removed; null when absent or stale.
   * At most `maxBytes` are read: a bigger file is refused, never truncated into a wrong value.
   */
  async readText(rel: string, maxBytes = ATTRIBUTE_MAX_BYTES): Promise<string | null> {
    let outcome: Gated<BoundedRead>;
    try {
      // Keyed by directory: one hwmon chip or thermal zone, whose files share a driver.
      outcome = await this.gate.run(dirname(rel), () => this.readFile(this.path(rel), maxBytes));
    } catch (err) {
      return this.failure(rel, err);
    }
    if (outcome.kind !== 'done') return this.stale(rel, ...gateFailure(outcome.kind));
    const read = outcome.value;
    if (read.kind === 'not-regular') return this.stale(rel, { fileType: read.fileType }, 'sensor path is not a regular file; skipping it');
    if (read.kind === 'too-large') return this.stale(rel, { maxBytes: read.maxBytes }, 'sensor file is larger than a sensor value can be; ignoring it');
    this.readable(rel);
    return read.text.replace(/\0+$/, '').trimEnd();
  }

  /** Entry names of a directory, sorted naturally (thermal_zone2 before thermal_zone10); [] when unreadable. */
  async list(rel: string): Promise<string[]> {
    try {
      const names = await readdir(this.path(rel));
      return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    } catch (err) {
      this.failure(rel, err);
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
      this.failure(rel, err);
      return false;
    }
  }

  /** An errno failure: absent (quiet) or stale (logged once). */
  private failure(rel: string, err: unknown): null {
    const code = (err as NodeJS.ErrnoException).code ?? 'ERROR';
    if (QUIET_CODES.has(code)) return null;
    return this.stale(rel, { code }, 'cannot read sensor file; treating it as absent');
  }

  private stale(rel: string, fields: Record<string, unknown>, message: string): null {
    this.failed?.add(rel);
    this.warnOnce(rel, fields, message);
    return null;
  }

  private warnOnce(rel: string, fields: Record<string, unknown>, message: string): void {
    const episode = this.episodes.get(rel);
    if (episode?.open) return;
    const now = this.now();
    const logged = episode === undefined || now - episode.loggedAt >= RELOG_AFTER_MS;
    this.episodes.set(rel, { open: true, logged, loggedAt: logged ? now : (episode?.loggedAt ?? now) });
    if (logged) this.logger.warn({ path: this.path(rel), ...fields }, message);
  }

  private readable(rel: string): void {
    const episode = this.episodes.get(rel);
    if (!episode?.open) return;
    episode.open = false;
    if (episode.logged) this.logger.info({ path: this.path(rel) }, 'sensor file readable again');
  }
}

/** Why the gate gave no read, as `stale()` arguments. */
function gateFailure(kind: 'timeout' | 'held' | 'no-slot'): [Record<string, unknown>, string] {
  if (kind === 'timeout') return [{ timeoutMs: SENSOR_READ_TIMEOUT_MS }, 'sensor read did not answer in time; abandoned, sensor stale until it does'];
  if (kind === 'held') return [{}, 'a read of this sensor (or of its chip) is hung; sensor stale until it answers'];
  return [{ slots: SENSOR_READ_SLOTS }, 'every sensor read slot is held by hung reads; sensor stale'];
}
