/**
 * Open TCP connections whose local port is one of `ports`, from the kernel's tables of this
 * network namespace (/proc/net/tcp, tcp6): how a task's agent sees that clients, from any board's
 * mesh, still talk to it. Reads at most 4 MiB per table.
 */
import { open } from 'node:fs/promises';

const ESTABLISHED = '01';
const MAX_TABLE_BYTES = 4 * 1024 * 1024;

export async function establishedOn(ports: number[], procRoot = '/proc'): Promise<number> {
  if (ports.length === 0) return 0;
  const wanted = new Set(ports);
  let count = 0;
  for (const table of ['tcp', 'tcp6']) {
    const text = await readBounded(`${procRoot}/net/${table}`);
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (!local || fields[3] !== ESTABLISHED) continue;
      const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
      if (wanted.has(port)) count++;
    }
  }
  return count;
}

async function readBounded(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const buffer = Buffer.alloc(MAX_TABLE_BYTES);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0 || length + bytesRead >= buffer.length) {
        length += bytesRead;
        break;
      }
      length += bytesRead;
    }
    return buffer.subarray(0, length).toString('latin1');
  } finally {
    await handle.close();
  }
}
