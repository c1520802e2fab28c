/**
 * A Jetson's GPU seen from both sides. The SoC's GPU is always known from the hardware profile
 * (sysfs load file and thermal zone); on JetPack 6 `nvidia-smi` also lists it, as `Orin (nvgpu)`
 * (nvgpu is the Tegra GPU driver), with most readings `N/A`. Both views are one GPU: it is
 * reported once, with the richer value of each field.
 */
import type { GpuFact } from '../../shared/payloads/facts.js';
import type { NvidiaGpu } from './nvidia-inventory.js';

const INTEGRATED_SMI_NAME = /\bnvgpu\b/i;

export interface NvidiaSplit {
  /** GPUs on their own cards (a PCIe GPU in an AGX Orin's slot stays one of these). */
  discrete: NvidiaGpu[];
  /** nvidia-smi's entry for the SoC's own GPU, when it lists one. */
  integrated: NvidiaGpu | null;
}

export function splitNvidiaGpus(gpus: NvidiaGpu[]): NvidiaSplit {
  const integrated = gpus.find((g) => INTEGRATED_SMI_NAME.test(g.fact.model)) ?? null;
  return { discrete: gpus.filter((g) => g !== integrated), integrated };
}

/** The one fact for the SoC's GPU: the profile's descriptive model, nvidia-smi's uuid and memory where it has them. */
export function integratedGpuFact(profileModel: string | null, smi: NvidiaGpu | null): GpuFact {
  return {
    vendor: 'nvidia',
    integrated: true,
    model: profileModel ?? smi?.fact.model ?? 'NVIDIA integrated GPU',
    memoryBytes: smi?.fact.memoryBytes ?? null,
    uuid: smi?.fact.uuid ?? null,
  };
}
