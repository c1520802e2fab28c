/**
 * The one way the agent reads a sensor file: bounded in size, and only ever a regular file.
 *
 * - Size: at most `maxBytes` are read (sysfs attributes fit in a page); a file with more than that
 *   is refused whole, never truncated into a wrong number. A 100 MB file costs one 4 KiB read.
 * - Type: a FIFO, socket or device node where an attribute belongs is never opened. `open()` on a
 *   FIFO blocks a libuv threadpool thread until a writer appears (for good, and `process.exit`
 *   then waits for that thread too), and opening some devices has side effects (`/dev/watchdog`).
 *   So the path is `stat`ed first, opened with O_NONBLOCK (a FIFO swapped in after the stat cannot
 *   block the open or the read), and the open descriptor is `fstat`ed again before reading.
 * Time is bounded one level up, by the ReadGate, since a hung driver read is still a regular file.
 */
import { close, constants, fstat, open, read, stat, type Stats } from 'node:fs';
import { promisify } from 'node:util';

// Plain descriptors and callbacks: cheaper per read than a FileHandle (no handle object to finalize),
// and this runs for every sensor every second.
const statP = promisify(stat);
const openP = promisify(open);
const fstatP = promisify(fstat);
const readP = promisify(read);
const closeP = promisify(close);

/** What a sysfs or small procfs attribute may hold: one page. */
export const ATTRIBUTE_MAX_BYTES = 4096;
/**
 * A proc table with a block or a line per CPU (`cpuinfo`, `stat`): about 1.5 KiB a core on x86,
 * so this covers over 600 cores. Read with the slow facts, never per second.
 */
export const PROC_TABLE_MAX_BYTES = 1024 * 1024;

export type BoundedRead = { kind: 'text'; text: string } | { kind: 'not-regular'; fileType: string } | { kind: 'too-large'; maxBytes: number };

/** Reads a file as `readBoundedFile` does; tests substitute one whose read hangs, as a stuck driver's would. */
export type FileReader = (path: string, maxBytes: number) => Promise<BoundedRead>;

function fileType(s: Stats): string {
  if (s.isDirectory()) return 'directory';
  if (s.isFIFO()) return 'fifo';
  if (s.isSocket()) return 'socket';
  if (s.isCharacterDevice()) return 'character device';
  if (s.isBlockDevice()) return 'block device';
  return 'special file';
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** The file's text (UTF-8) when it is a regular file of at most `maxBytes`; errno errors are thrown. */
export async function readBoundedFile(path: string, maxBytes: number): Promise<BoundedRead> {
  const before = await statP(path);
  if (!before.isFile()) return { kind: 'not-regular', fileType: fileType(before) };
  const fd = await openP(path, OPEN_FLAGS);
  try {
    const after = await fstatP(fd);
    if (!after.isFile()) return { kind: 'not-regular', fileType: fileType(after) };
    // One byte more than allowed tells "exactly maxBytes" from "too large" (sysfs sizes say 4096 for all).
    const buffer = Buffer.allocUnsafe(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await readP(fd, buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return { kind: 'too-large', maxBytes };
    return { kind: 'text', text: buffer.toString('utf8', 0, length) };
  } finally {
    await closeP(fd);
  }
}
