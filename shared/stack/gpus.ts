/**
 * GPU reservations, in both ways a Compose file can ask for them:
 *  - Swarm generic resources: `generic_resources: [{discrete_resource_spec: {kind: gpu, value: 2}}]`
 *    (any kind named `gpu` or ending in `-gpu`, such as `NVIDIA-GPU`, counts);
 *  - device requests: `devices: [{capabilities: [gpu], count: 2}]`.
 * Kelvin reserves a number of GPUs per task. `count: all` (or no count) cannot mean "every GPU"
 * in a cluster whose nodes hold different numbers, so it reserves one GPU, which places the task
 * on a GPU node, and says so in a warning; write a number to reserve more.
 */
import type { Field } from './field.js';
import { readNonNegativeInt, readString, readStringList } from './read.js';
import { readSection, requireKeys } from './section.js';

const GPU_KIND = /(^|[-_])gpu$/i;

/** GPUs asked for by `reservations.generic_resources`; null when none of them is a GPU. */
export function readGenericResourceGpus(field: Field): number | null {
  if (!field.isSeq()) {
    field.error('expected a list of generic resources');
    return null;
  }
  let total: number | null = null;
  for (const item of field.items()) {
    readSection(item, {
      discrete_resource_spec: (spec) => {
        const r: { kind?: string | undefined; value?: number | undefined } = {};
        readSection(spec, {
          kind: (f) => (r.kind = readString(f)),
          value: (f) => (r.value = readNonNegativeInt(f)),
        });
        if (!requireKeys(spec, ['kind', 'value']) || r.kind === undefined || r.value === undefined) return;
        if (GPU_KIND.test(r.kind)) total = (total ?? 0) + r.value;
        else spec.warn(`ignored: Kelvin schedules GPUs only, not generic resource '${r.kind}'`);
      },
      named_resource_spec: (spec) => spec.warn('ignored: Kelvin reserves GPUs by count; use discrete_resource_spec'),
    });
  }
  return total;
}

/** GPUs asked for by `reservations.devices`; null when no entry has the `gpu` capability. */
export function readDeviceGpus(field: Field): number | null {
  if (!field.isSeq()) {
    field.error('expected a list of device requests');
    return null;
  }
  let total: number | null = null;
  for (const item of field.items()) {
    const request = readDeviceRequest(item);
    if (request !== null) total = (total ?? 0) + request;
  }
  return total;
}

function readDeviceRequest(item: Field): number | null {
  const r: { capabilities?: string[] | undefined; count?: Field; deviceIds?: Field } = {};
  readSection(item, {
    capabilities: (f) => (r.capabilities = readStringList(f)),
    count: (f) => (r.count = f),
    device_ids: (f) => (r.deviceIds = f),
    driver: (f) => readString(f), // the NVIDIA device request is the only one Kelvin makes
    options: (f) => f.warn('ignored: Kelvin does not pass driver options'),
  });
  if (!requireKeys(item, ['capabilities']) || r.capabilities === undefined) return null;
  if (!r.capabilities.includes('gpu')) {
    item.warn(`ignored: Kelvin reserves GPUs only, not devices with capabilities [${r.capabilities.join(', ')}]`);
    return null;
  }
  if (r.count && r.deviceIds) {
    r.deviceIds.error('count and device_ids cannot be used together');
    return null;
  }
  if (r.deviceIds) {
    const ids = readStringList(r.deviceIds);
    if (ids === undefined) return null;
    r.deviceIds.warn(`Kelvin reserves ${ids.length} GPU(s) on the node it picks, not these device ids`);
    return ids.length;
  }
  if (!r.count) return allGpus(item);
  const scalar = r.count.scalar();
  if (!scalar || typeof scalar.value !== 'string') return readNonNegativeInt(r.count) ?? null;
  const text = readString(r.count); // may be interpolated, e.g. ${GPUS:-all}
  if (text === undefined) return null;
  if (text === 'all') return allGpus(r.count);
  if (/^\d+$/.test(text)) return Number(text);
  r.count.error(`expected a number of GPUs or 'all', got '${text}'`);
  return null;
}

function allGpus(at: Field): number {
  at.warn('count: all reserves 1 GPU in a cluster (nodes differ); write a number to reserve more');
  return 1;
}
