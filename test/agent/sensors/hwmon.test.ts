import { describe, expect, it } from 'vitest';
import { HostFs } from '../../../agent/sensors/host-fs.js';
import { discoverHwmon, readHwmonCrits, readHwmonTemps, readHwmonVolts } from '../../../agent/sensors/hwmon.js';
import { silentLogger } from '../../../shared/logger.js';
import { boardRoot } from './fixture-boards.js';

const fsFor = (name: string) => new HostFs(boardRoot(name), silentLogger());

describe('hwmon (real node_exporter tree)', () => {
  it('follows class/hwmon links and names chips, telling same-named chips apart', async () => {
    const chips = await discoverHwmon(fsFor('x86-intel'));
    expect(chips.map((c) => c.chipName)).toEqual(['coretemp', 'coretemp', 'nct6779', null, 'bogus', 'mt7996_phy0_0', 'mt7996_phy0_1', 'mt7996_phy0_2']);
    expect(chips[0]?.temps.map((t) => t.name)).toEqual([
      'coretemp.0:Physical id 0',
      'coretemp.0:Core 0',
      'coretemp.0:Core 1',
      'coretemp.0:Core 2',
      'coretemp.0:Core 3',
    ]);
  });

  it('names channels of a chip without `name` by directory, and repeated labels by channel', async () => {
    const fs = fsFor('x86-intel');
    const temps = await readHwmonTemps(fs, await discoverHwmon(fs));
    expect(temps.filter((t) => t.sensor.startsWith('hwmon4'))).toEqual([
      { sensor: 'hwmon4:temp1', tempC: 55 },
      { sensor: 'hwmon4:temp2', tempC: 54 },
    ]);
  });

  it('reads the Super I/O rails in volts', async () => {
    const fs = fsFor('x86-intel');
    expect(await readHwmonVolts(fs, await discoverHwmon(fs))).toEqual([
      { rail: 'nct6779:in0', volts: 0.792 },
      { rail: 'nct6779:in1', volts: 1.024 },
    ]);
  });

  it('reads TjMax of the CPU package sensors', async () => {
    const fs = fsFor('x86-intel');
    const crits = await readHwmonCrits(fs, await discoverHwmon(fs), (s) => s.includes('Physical id'));
    expect(crits).toEqual([100, 100]);
  });

  it('skips INA3221 channels labelled NC and the in7 shunt sum', async () => {
    const fs = fsFor('jetson-orin');
    const rails = (await readHwmonVolts(fs, await discoverHwmon(fs))).map((r) => r.rail);
    expect(rails).toEqual(['ina3221.0:VDD_GPU_SOC', 'ina3221.0:VDD_CPU_CV', 'ina3221.0:VIN_SYS_5V0', 'ina3221.1:VDDQ_VDD2_1V8AO']);
  });

  it('drops an NVMe sentinel and an empty or garbled input', async () => {
    const nvidiaBox = fsFor('x86-nvidia');
    const temps = await readHwmonTemps(nvidiaBox, await discoverHwmon(nvidiaBox));
    expect(temps.filter((t) => t.sensor.startsWith('nvme'))).toEqual([{ sensor: 'nvme:Composite', tempC: 38.85 }]);
    const broken = fsFor('broken');
    const chips = await discoverHwmon(broken);
    expect(await readHwmonTemps(broken, chips)).toEqual([
      { sensor: 'hwmon0:temp1', tempC: 41 },
      { sensor: 'coretemp:Core 0', tempC: 52 },
    ]);
    expect(await readHwmonVolts(broken, chips)).toEqual([]);
  });
});
