import { describe, expect, it } from 'vitest';
import { HostFs } from '../../../agent/sensors/host-fs.js';
import { parseMemInfo, readLoad1, readMemInfo } from '../../../agent/sensors/load-memory.js';
import { silentLogger } from '../../../shared/logger.js';
import { boardRoot } from './fixture-boards.js';

const fsFor = (name: string) => new HostFs(boardRoot(name), silentLogger());

describe('load and memory', () => {
  it('reads the 1-minute load and MemTotal - MemAvailable', async () => {
    expect(await readLoad1(fsFor('jetson-orin'))).toBe(6.34);
    expect(await readMemInfo(fsFor('jetson-orin'))).toEqual({ totalBytes: 31944224 * 1024, usedBytes: (31944224 - 24112872) * 1024 });
  });

  it('gives null, not 0, for a garbled loadavg and a meminfo without MemAvailable', async () => {
    expect(await readLoad1(fsFor('broken'))).toBeNull();
    expect(await readMemInfo(fsFor('broken'))).toEqual({ totalBytes: 1000000 * 1024, usedBytes: null });
    expect(parseMemInfo(null)).toEqual({ totalBytes: null, usedBytes: null });
  });
});
