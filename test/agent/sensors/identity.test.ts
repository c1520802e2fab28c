import { machine } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readCpuInfo } from '../../../agent/sensors/cpuinfo.js';
import { HostFs } from '../../../agent/sensors/host-fs.js';
import { readBoardStrings, readIdentity } from '../../../agent/sensors/identity.js';
import { canonicalArch } from '../../../shared/arch.js';
import { silentLogger } from '../../../shared/logger.js';
import { boardRoot, copyBoard } from './fixture-boards.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const fsFor = (root: string) => new HostFs(root, silentLogger());

describe('identity', () => {
  it('reads arch, hostname, OS and boot id from procfs', async () => {
    expect(await readIdentity(fsFor(boardRoot('jetson-orin')))).toEqual({
      arch: 'aarch64',
      hostname: 'orin-edge-1',
      os: 'linux',
      bootId: '7e2d4c6b-1a3f-4b5e-8c7d-9e0f1a2b3c4d',
    });
  });

  it('falls back to uname -m when proc/sys/kernel/arch is missing (kernels before 6.1)', async () => {
    const board = copyBoard('vm');
    try {
      rmSync(join(board.root, 'proc/sys/kernel/arch'));
      expect((await readIdentity(fsFor(board.root))).arch).toBe(canonicalArch(machine()));
    } finally {
      board.remove();
    }
  });

  it('derives a per-boot id from btime when boot_id is missing', async () => {
    expect((await readIdentity(fsFor(boardRoot('broken')))).bootId).toBe('btime-1732262400');
  });

  it('reads the device-tree model and compatible list, or DMI on x86', async () => {
    expect(await readBoardStrings(fsFor(boardRoot('jetson-nano')))).toEqual({
      model: 'NVIDIA Jetson Nano Developer Kit',
      compatible: ['nvidia,p3450-0000', 'nvidia,jetson-nano', 'nvidia,tegra210'],
    });
    expect(await readBoardStrings(fsFor(boardRoot('vm')))).toEqual({ model: 'QEMU Standard PC (Q35 + ICH9, 2009)', compatible: [] });
    expect(await readBoardStrings(fsFor(boardRoot('broken')))).toEqual({ model: null, compatible: [] });
  });

  it('still reports one core when cpuinfo and the cpu list are both missing', async () => {
    expect(await readCpuInfo(fsFor(boardRoot('broken')))).toEqual({ model: null, cores: 1 });
  });
});
