/**
 * A real, small tmpfs for disk-full tests (`mount -t tmpfs -o size=...`), which needs root or
 * CAP_SYS_ADMIN. `mountSmallTmpfs` answers the reason to skip where it cannot be mounted.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallTmpfs {
  readonly dir: string;
  /** Fills the file system to the last byte (big chunks, then small ones) with filler files. */
  fill(): void;
  /** Deletes the filler files. */
  free(): void;
  /** Unmounts (lazily, if a process still holds a file) and removes the mount point. */
  unmount(): void;
}

const FILLERS = ['filler-big', 'filler-small'];

export function mountSmallTmpfs(sizeKiB = 4096): SmallTmpfs | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'a tmpfs can only be mounted as root (or with CAP_SYS_ADMIN)' };
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmdirSync(dir);
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return { skip: `cannot mount a tmpfs: ${stderr || (err as Error).message}` };
  }
  return {
    dir,
    fill() {
      [65_536, 512].forEach((chunk, i) => {
        const fd = openSync(join(dir, FILLERS[i] ?? 'filler'), 'a');
        const buffer = Buffer.alloc(chunk, 1);
        try {
          for (let written = 0; written <= sizeKiB * 1024; written += chunk) writeSync(fd, buffer);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        } finally {
          closeSync(fd);
        }
      });
    },
    free() {
      for (const f of FILLERS) rmSync(join(dir, f), { force: true });
    },
    unmount() {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
      rmdirSync(dir);
    },
  };
}
