import { describe, expect, it } from 'vitest';
import { HostFs } from '../../../agent/sensors/host-fs.js';
import { discoverThermalZones, readThermalZones } from '../../../agent/sensors/thermal-zones.js';
import { silentLogger } from '../../../shared/logger.js';
import { boardRoot } from './fixture-boards.js';

const fsFor = (name: string) => new HostFs(boardRoot(name), silentLogger());

describe('thermal zones', () => {
  it('names zones by type and reads their trip points', async () => {
    const zones = await discoverThermalZones(fsFor('jetson-orin'));
    expect(zones.map((z) => z.sensor)).toEqual([
      'cpu-thermal',
      'gpu-thermal',
      'cv0-thermal',
      'cv1-thermal',
      'cv2-thermal',
      'soc0-thermal',
      'soc1-thermal',
      'soc2-thermal',
      'tj-thermal',
    ]);
    expect(zones[0]?.trips).toEqual([
      { type: 'passive', tempC: 99 },
      { type: 'critical', tempC: 104.5 },
    ]);
  });

  it('drops power-gated Jetson zones reading -256 C', async () => {
    const fs = fsFor('jetson-orin');
    const temps = await readThermalZones(fs, await discoverThermalZones(fs));
    expect(temps.find((t) => t.sensor.startsWith('cv'))).toBeUndefined();
    expect(temps).toContainEqual({ sensor: 'tj-thermal', tempC: 49.031 });
  });

  it('keeps negative readings (acpitz at -44 C is a real value)', async () => {
    const fs = fsFor('x86-amd');
    expect(await readThermalZones(fs, await discoverThermalZones(fs))).toEqual([{ sensor: 'acpitz', tempC: -44 }]);
  });

  it('skips garbage, a directory as temp file and a zone that links to itself', async () => {
    const fs = fsFor('broken');
    const zones = await discoverThermalZones(fs);
    expect(zones.map((z) => z.sensor)).toEqual(['cpu-thermal', 'x86_pkg_temp', 'soc-thermal']);
    expect(await readThermalZones(fs, zones)).toEqual([{ sensor: 'soc-thermal', tempC: 45 }]);
  });
});
