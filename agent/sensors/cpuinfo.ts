/**
 * CPU model and core count from `proc/cpuinfo`. x86 and 32-bit ARM print a `model name`; 64-bit
 * ARM kernels print only implementer and part numbers, which are named here for the cores found
 * on Pis, Jetsons and ARM servers.
 */
import { PROC_TABLE_MAX_BYTES } from './bounded-read.js';
import type { HostFs } from './host-fs.js';

const ARM_PARTS: Record<string, Record<string, string>> = {
  '0x41': {
    '0xd03': 'Cortex-A53',
    '0xd04': 'Cortex-A35',
    '0xd05': 'Cortex-A55',
    '0xd07': 'Cortex-A57',
    '0xd08': 'Cortex-A72',
    '0xd09': 'Cortex-A73',
    '0xd0a': 'Cortex-A75',
    '0xd0b': 'Cortex-A76',
    '0xd0c': 'Neoverse-N1',
    '0xd40': 'Neoverse-V1',
    '0xd41': 'Cortex-A78',
    '0xd42': 'Cortex-A78AE',
    '0xd49': 'Neoverse-N2',
    '0xd4f': 'Neoverse-V2',
  },
  '0x4e': { '0x004': 'NVIDIA Carmel' },
};

export interface CpuInfo {
  model: string | null;
  cores: number;
}

function field(block: string, key: string): string | null {
  return new RegExp(`^${key}\\s*:\\s*(.+?)\\s*$`, 'm').exec(block)?.[1] ?? null;
}

function armCoreName(block: string): string | null {
  const implementer = field(block, 'CPU implementer')?.toLowerCase();
  const part = field(block, 'CPU part')?.toLowerCase();
  if (!implementer || !part) return null;
  return ARM_PARTS[implementer]?.[part] ?? `ARM implementer ${implementer} part ${part}`;
}

export function parseCpuInfo(text: string): CpuInfo {
  const blocks = text.split(/\n\s*\n/).filter((b) => /^processor\s*:/m.test(b));
  const modelName = field(text, 'model name');
  // big.LITTLE boards list more than one core type: name them all, in order of appearance.
  const armNames = [...new Set(blocks.map(armCoreName).filter((n): n is string => n !== null))];
  return { model: modelName ?? (armNames.length > 0 ? armNames.join(' + ') : null), cores: blocks.length };
}

/** `0-3,6` from `devices/system/cpu/online` -> 5. */
export function countCpuList(text: string | null): number {
  if (text === null) return 0;
  let count = 0;
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m) count += m[2] === undefined ? 1 : Number(m[2]) - Number(m[1]) + 1;
  }
  return count;
}

export async function readCpuInfo(fs: HostFs): Promise<CpuInfo> {
  const text = await fs.readText('proc/cpuinfo', PROC_TABLE_MAX_BYTES);
  const parsed = text === null ? { model: null, cores: 0 } : parseCpuInfo(text);
  const cores = parsed.cores > 0 ? parsed.cores : countCpuList(await fs.readText('sys/devices/system/cpu/online'));
  // The wire needs a positive count; a board that hides both files still has one core.
  return { model: parsed.model, cores: Math.max(cores, 1) };
}
