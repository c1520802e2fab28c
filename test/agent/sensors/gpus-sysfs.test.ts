/** GPUs read from sysfs alone: amdgpu cards and the Jetson integrated GPU. */
import { describe, expect, it } from 'vitest';
import { discoverAmdCards, readAmdCard } from '../../../agent/sensors/amd-gpu.js';
import { HostFs } from '../../../agent/sensors/host-fs.js';
import { findJetsonLoadFile, readJetsonLoad } from '../../../agent/sensors/jetson-gpu.js';
import { silentLogger } from '../../../shared/logger.js';
import { boardRoot } from './fixture-boards.js';

const fsFor = (name: string) => new HostFs(boardRoot(name), silentLogger());

describe('amdgpu cards', () => {
  it('finds the amdgpu card and ignores the i915 one', async () => {
    const fs = fsFor('x86-amd');
    const cards = await discoverAmdCards(fs);
    expect(cards.map((c) => c.deviceDir)).toEqual(['sys/class/drm/card0/device']);
    expect(await readAmdCard(fs, cards[0]!)).toEqual({ tempC: 52, utilPct: 4, memUsedBytes: 1490378752 });
  });

  it('finds none on boards without one', async () => {
    expect(await discoverAmdCards(fsFor('rpi4'))).toEqual([]);
  });
});

describe('Jetson GPU load', () => {
  it('reads devices/gpu.0/load on a Nano and devices/platform/gpu.0/load on an Orin, in percent', async () => {
    const nano = fsFor('jetson-nano');
    const orin = fsFor('jetson-orin');
    expect(await readJetsonLoad(nano, await findJetsonLoadFile(nano))).toBe(37.4);
    expect(await readJetsonLoad(orin, await findJetsonLoadFile(orin))).toBe(81.2);
  });

  it('is null where there is no load file', async () => {
    const fs = fsFor('vm');
    expect(await readJetsonLoad(fs, await findJetsonLoadFile(fs))).toBeNull();
  });
});
