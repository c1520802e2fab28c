/**
 * Who the board is: architecture, hostname, boot id, OS, and the model strings a profile is
 * matched against. All read under the host root; the process's own `os` module is the fallback
 * only where the kernel file is missing (arch before Linux 6.1, hostname).
 */
import { machine, hostname as osHostname, platform } from 'node:os';
import { canonicalArch } from '../../shared/arch.js';
import { PROC_TABLE_MAX_BYTES } from './bounded-read.js';
import type { HostFs } from './host-fs.js';

export interface Identity {
  arch: string;
  hostname: string;
  os: string;
  bootId: string;
}

/** `uname -m` style (x86_64, aarch64, armv7l). */
export async function readArch(fs: HostFs): Promise<string> {
  const arch = (await fs.readText('proc/sys/kernel/arch'))?.trim();
  return canonicalArch(arch || machine());
}

/** The kernel's boot id; without it, the boot time from `proc/stat`, which also changes per boot. */
export async function readBootId(fs: HostFs): Promise<string> {
  const id = (await fs.readText('proc/sys/kernel/random/boot_id'))?.trim();
  if (id) return id;
  const btime = /^btime\s+(\d+)$/m.exec((await fs.readText('proc/stat', PROC_TABLE_MAX_BYTES)) ?? '')?.[1];
  return btime ? `btime-${btime}` : 'unknown';
}

export async function readIdentity(fs: HostFs): Promise<Identity> {
  const host = (await fs.readText('proc/sys/kernel/hostname'))?.trim();
  const ostype = (await fs.readText('proc/sys/kernel/ostype'))?.trim();
  return {
    arch: await readArch(fs),
    hostname: host || osHostname(),
    os: (ostype || platform()).toLowerCase(),
    bootId: await readBootId(fs),
  };
}

export interface BoardStrings {
  /** Device-tree model (Pi, Jetson) or DMI vendor and product (x86); null when neither exists. */
  model: string | null;
  /** Device-tree compatible strings, most specific first. */
  compatible: string[];
}

export async function readBoardStrings(fs: HostFs): Promise<BoardStrings> {
  const dtModel = (await fs.readText('sys/firmware/devicetree/base/model')) ?? (await fs.readText('proc/device-tree/model'));
  const compatible = (await fs.readText('sys/firmware/devicetree/base/compatible')) ?? (await fs.readText('proc/device-tree/compatible'));
  const list = compatible === null ? [] : compatible.split('\0').map((s) => s.trim()).filter((s) => s !== '');
  if (dtModel?.trim()) return { model: dtModel.trim(), compatible: list };
  const vendor = (await fs.readText('sys/class/dmi/id/sys_vendor'))?.trim();
  const product = (await fs.readText('sys/class/dmi/id/product_name'))?.trim();
  const dmi = [vendor, product].filter((s): s is string => !!s).join(' ');
  return { model: dmi || null, compatible: list };
}
