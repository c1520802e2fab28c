/**
 * NVIDIA GPU facts (model, memory, uuid). One `nvidia-smi` call at inventory time, with a timeout;
 * when it hangs, fails or is not installed, the driver's own listing in
 * `proc/driver/nvidia/gpus/<bus>/information` still tells which GPUs exist.
 */
import { execFile } from 'node:child_process';
import type { GpuFact } from '../../shared/payloads/facts.js';
import type { HostFs } from './host-fs.js';
import { csvNumber, csvText, MIB, splitCsvLine } from './nvidia-smi-csv.js';

export interface NvidiaGpu {
  /** nvidia-smi's index, the key of its streamed lines. */
  smiIndex: number;
  fact: GpuFact;
}

const INVENTORY_ARGS = ['--query-gpu=index,name,uuid,memory.total', '--format=csv,noheader,nounits'];

export function parseInventory(stdout: string): NvidiaGpu[] {
  const gpus: NvidiaGpu[] = [];
  for (const line of stdout.split('\n')) {
    const [index, name, uuid, total] = splitCsvLine(line);
    const smiIndex = csvNumber(index);
    if (smiIndex === null || !Number.isInteger(smiIndex)) continue;
    const memMiB = csvNumber(total);
    gpus.push({
      smiIndex,
      fact: { vendor: 'nvidia', model: csvText(name) ?? 'NVIDIA GPU', memoryBytes: memMiB === null ? null : memMiB * MIB, uuid: csvText(uuid) },
    });
  }
  return gpus;
}

/** The GPUs nvidia-smi lists, or null when it could not answer within the timeout. */
export function queryNvidiaInventory(binary: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<NvidiaGpu[] | null> {
  return new Promise((resolve) => {
    execFile(binary, INVENTORY_ARGS, { env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout) => {
      resolve(err ? null : parseInventory(stdout));
    });
  });
}

const PROC_DIR = 'proc/driver/nvidia/gpus';

/** GPUs the loaded NVIDIA driver lists, in bus order (nvidia-smi's default order). */
export async function readNvidiaProcGpus(fs: HostFs): Promise<NvidiaGpu[]> {
  const gpus: NvidiaGpu[] = [];
  for (const bus of await fs.list(PROC_DIR)) {
    const info = await fs.readText(`${PROC_DIR}/${bus}/information`);
    if (info === null) continue;
    const field = (key: string) => new RegExp(`^${key}:\\s*(.+?)\\s*$`, 'm').exec(info)?.[1] ?? null;
    gpus.push({
      smiIndex: gpus.length,
      fact: { vendor: 'nvidia', model: field('Model') ?? 'NVIDIA GPU', memoryBytes: null, uuid: field('GPU UUID') },
    });
  }
  return gpus;
}
