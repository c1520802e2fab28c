/**
 * AMD GPUs driven by amdgpu, all from sysfs: `class/drm/cardN/device/` with `vendor` 0x1002,
 * `gpu_busy_percent`, `mem_info_vram_total`/`_used` (bytes) and an `amdgpu` hwmon whose temp1 is
 * the edge temperature. Other cards (i915, a Pi's VideoCore) are not GPUs for scheduling.
 */
import { basename } from 'node:path';
import type { GpuFact } from '../../shared/payloads/facts.js';
import type { HostFs } from './host-fs.js';
import { milliCelsius, parseInteger } from './sysfs-values.js';

export interface AmdCard {
  deviceDir: string;
  fact: GpuFact;
  tempFile: string | null;
}

export interface AmdReading {
  tempC: number | null;
  utilPct: number | null;
  memUsedBytes: number | null;
}

const DRM_DIR = 'sys/class/drm';
const AMD_VENDOR = '0x1002';

async function driverName(fs: HostFs, deviceDir: string): Promise<string | null> {
  const link = await fs.readLink(`${deviceDir}/driver`);
  if (link !== null) return basename(link);
  const uevent = await fs.readText(`${deviceDir}/uevent`);
  return uevent === null ? null : (/^DRIVER=(.+)$/m.exec(uevent)?.[1] ?? null);
}

async function edgeTempFile(fs: HostFs, deviceDir: string): Promise<string | null> {
  for (const hwmon of await fs.list(`${deviceDir}/hwmon`)) {
    const file = `${deviceDir}/hwmon/${hwmon}/temp1_input`;
    if ((await fs.readText(file)) !== null) return file;
  }
  return null;
}

export async function discoverAmdCards(fs: HostFs): Promise<AmdCard[]> {
  const cards: AmdCard[] = [];
  for (const card of await fs.list(DRM_DIR)) {
    if (!/^card\d+$/.test(card)) continue;
    const deviceDir = `${DRM_DIR}/${card}/device`;
    if ((await fs.readText(`${deviceDir}/vendor`)) !== AMD_VENDOR) continue;
    if ((await driverName(fs, deviceDir)) !== 'amdgpu') continue;
    const product = await fs.readText(`${deviceDir}/product_name`);
    const deviceId = await fs.readText(`${deviceDir}/device`);
    const uuid = await fs.readText(`${deviceDir}/unique_id`);
    cards.push({
      deviceDir,
      fact: {
        vendor: 'amd',
        model: product?.trim() || `AMD GPU (device ${deviceId?.trim() ?? 'unknown'})`,
        memoryBytes: parseInteger(await fs.readText(`${deviceDir}/mem_info_vram_total`)),
        uuid: uuid?.trim() || null,
      },
      tempFile: await edgeTempFile(fs, deviceDir),
    });
  }
  return cards;
}

export async function readAmdCard(fs: HostFs, card: AmdCard): Promise<AmdReading> {
  const [busy, used, temp] = await Promise.all([
    fs.readText(`${card.deviceDir}/gpu_busy_percent`),
    fs.readText(`${card.deviceDir}/mem_info_vram_used`),
    card.tempFile === null ? Promise.resolve(null) : fs.readText(card.tempFile),
  ]);
  return { tempC: milliCelsius(temp), utilPct: parseInteger(busy), memUsedBytes: parseInteger(used) };
}
