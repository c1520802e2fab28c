/** The value for `kelvin secret|config create NAME FILE|-`: a file, or standard input for `-`, at most 500 KiB. */
import { openSync, readSync, closeSync } from 'node:fs';
import { MAX_MATERIAL_BYTES } from '../../shared/secrets/refs.js';
import { CliError } from '../errors.js';

export function readMaterialData(file: string): Buffer {
  const where = file === '-' ? 'standard input' : file;
  let fd: number;
  try {
    fd = file === '-' ? 0 : openSync(file, 'r');
  } catch (err) {
    throw new CliError(`cannot read ${where}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  // Read one byte past the limit, never more: a huge file or an endless pipe is refused, not buffered.
  const buf = Buffer.alloc(MAX_MATERIAL_BYTES + 1);
  let size = 0;
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, size, buf.length - size, null);
      } catch (err) {
        // A non-blocking stdin (some terminals and pipes) says EAGAIN until data comes: wait a moment.
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          continue;
        }
        throw new CliError(`cannot read ${where}: ${(err as Error).message}`);
      }
      if (n === 0) break;
      size += n;
      if (size > MAX_MATERIAL_BYTES) throw new CliError(`${where}: over the limit of ${MAX_MATERIAL_BYTES / 1024} KiB`);
    }
  } finally {
    if (fd !== 0) closeSync(fd);
  }
  if (size === 0) throw new CliError(`${where}: empty; a value needs at least 1 byte`);
  return buf.subarray(0, size);
}
