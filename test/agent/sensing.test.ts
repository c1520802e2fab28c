/** What the agent reports for each fixture board: facts and one reading, as a user would see them. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBoardSensing, type BoardSensing } from '../../agent/sensing.js';
import { silentLogger } from '../../shared/logger.js';
import { nodeFacts, type NodeFacts } from '../../shared/payloads/facts.js';
import { telemetry } from '../../shared/payloads/telemetry.js';
import { boardRoot, copyBoard, fixtureEnv } from './sensors/fixture-boards.js';

const open: BoardSensing[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function sense(root: string, opts: { nvidiaSmi?: boolean; vars?: Record<string, string>; now?: () => number } = {}) {
  const sensing = await createBoardSensing({
    hostRoot: root,
    hwProfilesDir: null,
    env: fixtureEnv(root, { nvidiaSmi: opts.nvidiaSmi, vars: opts.vars }),
    logger: silentLogger(),
    now: opts.now ?? (() => 1_750_000_000_000),
  });
  open.push(sensing);
  const facts = await sensing.readFacts();
  const reading = await sensing.sample();
  return { sensing, facts, reading };
}

/** The board's output must also be valid on the wire once the daemon adds its fields. */
function expectWireValid(facts: Awaited<ReturnType<typeof sense>>['facts'], reading: Awaited<ReturnType<typeof sense>>['reading']) {
  const full: NodeFacts = { v: 1, nodeId: 'n1', engineLabels: {}, drivers: ['process'], agentVersion: '0.1.0', ...facts };
  expect(nodeFacts.safeParse(full).success).toBe(true);
  expect(telemetry.safeParse({ v: 1, seq: 0, ...reading }).success).toBe(true);
}

function temp(reading: { temps: Array<{ sensor: string; tempC: number }> }, sensor: string): number | undefined {
  return reading.temps.find((t) => t.sensor === sensor)?.tempC;
}

describe('Raspberry Pi 3B+', () => {
  it('uses the old bcm2835_thermal zone as CPU and stays under the 60 C soft limit', async () => {
    const { facts, reading } = await sense(boardRoot('rpi3bplus'));
    expect(facts.board).toEqual({ profile: 'rpi-3b-plus', model: 'Raspberry Pi 3 Model B Plus Rev 1.3' });
    expect(facts.arch).toBe('armv7l');
    expect(facts.cpu).toEqual({ model: 'ARMv7 Processor rev 4 (v7l)', cores: 4 });
    expect(facts.thermalLimits.criticalC).toBeLessThan(60);
    expect(reading.cpuTempC).toBe(49.925);
    // 0x80000: soft limit occurred since boot, nothing active now
    expect(reading.power).toEqual({
      underVoltageNow: false,
      underVoltageOccurred: false,
      throttledNow: false,
      freqCappedNow: false,
      softTempLimitNow: false,
      inputVolts: null,
    });
    expectWireValid(facts, reading);
  });
});

describe('Raspberry Pi 4 with throttle word 50005', () => {
  it('reports under-voltage now and since boot, throttled, and the CPU temperature', async () => {
    const { facts, reading } = await sense(boardRoot('rpi4'));
    expect(facts).toMatchObject({
      hostname: 'pi4-kitchen',
      arch: 'aarch64',
      os: 'linux',
      bootId: '3f1c9d2e-8b7a-4c61-a0d5-2e9f4b6c7d81',
      board: { profile: 'rpi-4', model: 'Raspberry Pi 4 Model B Rev 1.4' },
      cpu: { model: 'Cortex-A72', cores: 4 },
      memoryBytes: 3884164 * 1024,
      gpus: [],
      labels: { board: 'rpi-4', gpu: 'false', 'gpu.count': '0' },
    });
    // Pi firmware throttles from 80 C: Kelvin's limits sit below it.
    expect(facts.thermalLimits).toEqual({ warnC: 65, throttleC: 70, criticalC: 76, hysteresisC: 5 });
    expect(reading.cpuTempC).toBe(71.54);
    expect(reading.power).toEqual({
      underVoltageNow: true,
      underVoltageOccurred: true,
      throttledNow: true,
      freqCappedNow: false,
      softTempLimitNow: false,
      inputVolts: null,
    });
    expect(reading.load1).toBe(3.92);
    expect(reading.memUsedBytes).toBe((3884164 - 2725812) * 1024);
    expect(reading.gpus).toEqual([]);
    expect(reading.gpuStale).toBe(false);
    expectWireValid(facts, reading);
  });

  it('takes the rpi_volt alarm alone as under-voltage now when the throttle word is clear', async () => {
    const board = copyBoard('rpi4');
    try {
      writeFileSync(join(board.root, 'sys/devices/platform/soc/soc:firmware/get_throttled'), '0\n');
      const { reading } = await sense(board.root);
      expect(reading.power.underVoltageNow).toBe(true);
      expect(reading.power.underVoltageOccurred).toBe(false);
      expect(reading.power.throttledNow).toBe(false);
    } finally {
      board.remove();
    }
  });
});

describe('Raspberry Pi 5', () => {
  it('finds the throttle word under soc@107c000000 and the PMIC input voltage via vcgencmd', async () => {
    const { facts, reading } = await sense(boardRoot('rpi5'));
    expect(facts.board.profile).toBe('rpi-5');
    expect(facts.cpu).toEqual({ model: 'Cortex-A76', cores: 4 });
    expect(reading.cpuTempC).toBe(62.35);
    expect(reading.power).toEqual({
      underVoltageNow: false,
      underVoltageOccurred: false,
      throttledNow: false,
      freqCappedNow: false,
      softTempLimitNow: false,
      inputVolts: 5.05716,
    });
    expect(reading.voltages).toContainEqual({ rail: 'pmic:EXT5V', volts: 5.05716 });
    expectWireValid(facts, reading);
  });

  it('calls an input under 4.63 V under-voltage even while the throttle word is clear', async () => {
    const board = copyBoard('rpi5');
    try {
      const file = join(board.root, 'pmic_read_adc.txt');
      writeFileSync(file, '     EXT5V_V volt(24)=4.51200000V\n');
      const { reading } = await sense(board.root);
      expect(reading.power.inputVolts).toBe(4.512);
      expect(reading.power.underVoltageNow).toBe(true);
    } finally {
      board.remove();
    }
  });

  it('drops a cached input voltage once it is 30 s old and refreshes have stopped', async () => {
    let now = 1_750_000_000_000;
    const { sensing } = await sense(boardRoot('rpi5'), { now: () => now });
    expect((await sensing.sample()).power.inputVolts).toBe(5.05716);
    now += 31_000;
    expect((await sensing.sample()).power.inputVolts).toBeNull();
  });
});

describe('Raspberry Pi 4 with enclosure sensors (1-wire DS18B20s, IIO BME280 and HDC1000)', () => {
  it('reports each ambient sensor in its ABI units, skipping the DS18B20 reset value and non-thermometers', async () => {
    const { reading } = await sense(boardRoot('rpi4-enclosure'));
    const ambient = reading.ambient ?? [];
    expect(ambient.map((a) => a.sensor)).toEqual(['w1:28-0316a2794bff', 'w1:28-01144b83a1aa', 'iio:bme280', 'iio:hdc100x']);
    expect(ambient[0]).toEqual({ sensor: 'w1:28-0316a2794bff', tempC: 31.437, humidityPct: null }); // w1_therm `temperature`
    expect(ambient[1]).toEqual({ sensor: 'w1:28-01144b83a1aa', tempC: 23.125, humidityPct: null }); // old w1_slave file
    expect(ambient[2]).toEqual({ sensor: 'iio:bme280', tempC: 24.31, humidityPct: 41.234 });
    // (raw + offset) * scale: the HDC1000's 165 C / 2^16 per count from -40 C.
    expect(ambient[3]?.tempC).toBeCloseTo(22.943, 3);
    expect(ambient[3]?.humidityPct).toBeCloseTo(45.776, 3);
    // The CPU reading is unchanged by them.
    expect(reading.cpuTempC).toBe((await sense(boardRoot('rpi4'))).reading.cpuTempC);
    expectWireValid((await sense(boardRoot('rpi4-enclosure'))).facts, reading);
  });

  it('has no ambient field on a board without such sensors', async () => {
    const { reading } = await sense(boardRoot('rpi4'));
    expect(reading.ambient).toBeUndefined();
  });
});

describe('Jetson Nano', () => {
  it('takes CPU-therm (zone 1) as the CPU, not the hotter PMIC-Die, and reads the GPU load file', async () => {
    const { facts, reading } = await sense(boardRoot('jetson-nano'));
    expect(facts.board.profile).toBe('jetson-nano');
    expect(facts.cpu).toEqual({ model: 'Cortex-A57', cores: 4 });
    expect(reading.cpuTempC).toBe(46.5);
    expect(temp(reading, 'PMIC-Die')).toBe(100);
    expect(facts.gpus).toEqual([{ vendor: 'nvidia', integrated: true, model: 'NVIDIA Tegra X1 (Maxwell, 128 cores)', memoryBytes: null, uuid: null }]);
    expect(facts.labels).toMatchObject({ gpu: 'true', 'gpu.vendor': 'nvidia', 'gpu.integrated': 'true', 'gpu.count': '1' });
    expect(reading.gpus).toEqual([{ index: 0, tempC: 43, utilPct: 37.4, memUsedBytes: null, thermalSlowdown: null }]);
    expect(reading.voltages).toEqual([
      { rail: 'ina3221:POM_5V_IN', volts: 5.048 },
      { rail: 'ina3221:POM_5V_GPU', volts: 5.032 },
      { rail: 'ina3221:POM_5V_CPU', volts: 5.032 },
    ]);
    // No throttle word on a Jetson: the board cannot tell, so null rather than false.
    expect(reading.power.underVoltageNow).toBeNull();
    expect(reading.power.throttledNow).toBeNull();
    expectWireValid(facts, reading);
  });
});

describe('Jetson AGX Orin', () => {
  it('drops power-gated zones at -256 C and skips unconnected INA3221 channels', async () => {
    const { facts, reading } = await sense(boardRoot('jetson-orin'));
    expect(facts.board).toEqual({ profile: 'jetson-orin', model: 'NVIDIA Jetson AGX Orin Developer Kit' });
    expect(facts.cpu).toEqual({ model: 'Cortex-A78AE', cores: 12 });
    expect(reading.temps.map((t) => t.sensor)).toEqual(['cpu-thermal', 'gpu-thermal', 'soc0-thermal', 'soc1-thermal', 'soc2-thermal', 'tj-thermal']);
    expect(reading.cpuTempC).toBe(48.562);
    expect(reading.gpus).toEqual([{ index: 0, tempC: 45.312, utilPct: 81.2, memUsedBytes: null, thermalSlowdown: null }]);
    expect(reading.voltages).toEqual([
      { rail: 'ina3221.0:VDD_GPU_SOC', volts: 4.992 },
      { rail: 'ina3221.0:VDD_CPU_CV', volts: 4.992 },
      { rail: 'ina3221.0:VIN_SYS_5V0', volts: 4.984 },
      { rail: 'ina3221.1:VDDQ_VDD2_1V8AO', volts: 4.976 },
    ]);
    // The 99 C passive trip leaves room for the profile's 94 C critical limit.
    expect(facts.thermalLimits).toEqual({ warnC: 80, throttleC: 87, criticalC: 94, hysteresisC: 4 });
    expectWireValid(facts, reading);
  });
});

describe('Jetson AGX Orin on JetPack 6 (nvidia-smi lists the integrated GPU as Orin (nvgpu))', () => {
  it('reports one NVIDIA GPU, integrated, with sysfs readings where nvidia-smi has none', async () => {
    const { facts, reading } = await sense(boardRoot('jetson-orin-jp6'));
    expect(facts.gpus).toEqual([
      { vendor: 'nvidia', integrated: true, model: 'NVIDIA Orin (Ampere)', memoryBytes: null, uuid: 'GPU-00000000-0000-0000-0000-000000000000' },
    ]);
    expect(facts.labels).toEqual({ board: 'jetson-orin', gpu: 'true', 'gpu.count': '1', 'gpu.vendor': 'nvidia', 'gpu.integrated': 'true' });
    // nvidia-smi says N/A: the GPU thermal zone and the load file answer instead.
    expect(reading.gpus).toEqual([{ index: 0, tempC: 45.312, utilPct: 81.2, memUsedBytes: null, thermalSlowdown: null }]);
    expect(reading.gpuStale).toBe(false);
    expectWireValid(facts, reading);
  });

  it('takes nvidia-smi readings where it has them', async () => {
    const vars = { FAKE_NVIDIA_SMI_SET: 'temperature.gpu=51;utilization.gpu=12 %;clocks_event_reasons.sw_thermal_slowdown=Active' };
    const { reading } = await sense(boardRoot('jetson-orin-jp6'), { vars });
    expect(reading.gpus).toEqual([{ index: 0, tempC: 51, utilPct: 12, memUsedBytes: null, thermalSlowdown: true }]);
  });

  it('keeps a discrete card in the slot apart from the integrated GPU', async () => {
    const { facts } = await sense(boardRoot('jetson-orin-jp6'), { vars: { FAKE_NVIDIA_SMI_CAPTURES: 'orin-nvgpu,l40s' } });
    expect(facts.gpus.map((g) => [g.model, g.integrated])).toEqual([
      ['NVIDIA L40S', false],
      ['NVIDIA Orin (Ampere)', true],
    ]);
    expect(facts.labels).toMatchObject({ 'gpu.count': '2', 'gpu.vendor': 'nvidia', 'gpu.integrated': 'true' });
  });
});

describe('x86 Intel (real node_exporter sysfs)', () => {
  it('reads both coretemp packages, keeps same-named chips apart and survives a hwmon without name', async () => {
    const { facts, reading } = await sense(boardRoot('x86-intel'));
    expect(facts.board).toEqual({ profile: 'x86-intel', model: 'Supermicro SYS-6019P-MT' });
    expect(facts.arch).toBe('x86_64');
    expect(facts.cpu).toEqual({ model: 'Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz', cores: 8 });
    expect(temp(reading, 'coretemp.0:Physical id 0')).toBe(55);
    expect(temp(reading, 'coretemp.1:Core 3')).toBe(50);
    expect(temp(reading, 'hwmon4:temp1')).toBe(55);
    expect(temp(reading, 'hwmon4:temp2')).toBe(54);
    expect(temp(reading, 'bogus')).toBeUndefined();
    expect(reading.cpuTempC).toBe(55);
    expect(reading.voltages).toEqual([
      { rail: 'nct6779:in0', volts: 0.792 },
      { rail: 'nct6779:in1', volts: 1.024 },
    ]);
    expect(new Set(reading.temps.map((t) => t.sensor)).size).toBe(reading.temps.length);
    expect(facts.labels).toEqual({ board: 'x86-intel', gpu: 'false', 'gpu.count': '0' });
    expectWireValid(facts, reading);
  });
});

describe('x86 AMD (real prometheus/procfs drm tree)', () => {
  it('counts the amdgpu card but not the Intel iGPU, and uses Tctl as the CPU', async () => {
    const { facts, reading } = await sense(boardRoot('x86-amd'));
    expect(facts.board.profile).toBe('x86-amd');
    expect(facts.gpus).toEqual([{ vendor: 'amd', model: 'AMD GPU (device 0x687f)', memoryBytes: 8573157376, uuid: '0123456789abcdef' }]);
    expect(facts.labels).toEqual({ board: 'x86-amd', gpu: 'true', 'gpu.vendor': 'amd', 'gpu.count': '1' });
    expect(reading.gpus).toEqual([{ index: 0, tempC: 52, utilPct: 4, memUsedBytes: 1490378752, thermalSlowdown: null }]);
    expect(reading.cpuTempC).toBe(67.5);
    expect(temp(reading, 'acpitz')).toBe(-44);
    expectWireValid(facts, reading);
  });
});

describe('x86 with an NVIDIA GPU (stand-in nvidia-smi replaying an H100 capture)', () => {
  it('reports the GPU facts and streamed readings, and drops the NVMe sentinel', async () => {
    const { facts, reading } = await sense(boardRoot('x86-nvidia'), { nvidiaSmi: true });
    expect(facts.gpus).toEqual([
      { vendor: 'nvidia', integrated: false, model: 'NVIDIA H100 80GB HBM3', memoryBytes: 81559 * 1024 * 1024, uuid: 'GPU-00000000-0000-0000-0000-000000000000' },
    ]);
    expect(facts.labels).toEqual({ board: 'x86-intel', gpu: 'true', 'gpu.vendor': 'nvidia', 'gpu.integrated': 'false', 'gpu.count': '1' });
    expect(reading.gpus).toEqual([{ index: 0, tempC: 59, utilPct: 100, memUsedBytes: 19818 * 1024 * 1024, thermalSlowdown: false }]);
    expect(reading.gpuStale).toBe(false);
    expect(temp(reading, 'nvme:Composite')).toBe(38.85);
    expect(temp(reading, 'nvme:Sensor 1')).toBeUndefined();
    // x86_pkg_temp's trip points are 0 (unset) and must not drag the limits down.
    expect(facts.thermalLimits).toEqual({ warnC: 80, throttleC: 87, criticalC: 94, hysteresisC: 5 });
    expect(reading.cpuTempC).toBe(61);
    expectWireValid(facts, reading);
  });
});

describe('VM with no sensors', () => {
  it('reports nulls and empty lists, never zeros', async () => {
    const { facts, reading } = await sense(boardRoot('vm'));
    expect(facts.board).toEqual({ profile: 'generic', model: 'QEMU Standard PC (Q35 + ICH9, 2009)' });
    expect(facts.cpu).toEqual({ model: 'Intel Xeon Processor (Cascadelake)', cores: 2 });
    expect(facts.labels).toEqual({ board: 'generic', gpu: 'false', 'gpu.count': '0' });
    expect(reading).toMatchObject({
      cpuTempC: null,
      temps: [],
      voltages: [],
      gpus: [],
      gpuStale: false,
      power: { underVoltageNow: null, underVoltageOccurred: null, throttledNow: null, freqCappedNow: null, softTempLimitNow: null, inputVolts: null },
      load1: 0,
    });
    expectWireValid(facts, reading);
  });
});

describe('hardware profile overrides', () => {
  it('uses a profile from --hw-profiles that replaces a built-in id', async () => {
    const board = copyBoard('rpi4');
    try {
      const dir = join(board.root, 'profiles');
      mkdirSync(dir);
      writeFileSync(
        join(dir, 'rpi-4.json'),
        JSON.stringify({
          id: 'rpi-4',
          name: 'Pi 4 in a hot cabinet',
          priority: 100,
          match: { model: '^Raspberry Pi 4' },
          cpuSensors: ['^cpu-thermal$'],
          thermalLimits: { warnC: 55, throttleC: 60, criticalC: 65, hysteresisC: 3 },
        }),
      );
      const sensing = await createBoardSensing({ hostRoot: board.root, hwProfilesDir: dir, env: fixtureEnv(board.root), logger: silentLogger() });
      open.push(sensing);
      expect((await sensing.readFacts()).thermalLimits).toEqual({ warnC: 55, throttleC: 60, criticalC: 65, hysteresisC: 3 });
    } finally {
      board.remove();
    }
  });

  it('refuses a bad profile file with one error naming the file and the field', async () => {
    const board = copyBoard('vm');
    try {
      writeFileSync(join(board.root, 'bad.json'), JSON.stringify({ id: 'x', name: 'x', priority: 1, match: {}, cpuSensors: ['cpu'], thermalLimits: { warnC: 'hot', throttleC: 1, criticalC: 2, hysteresisC: 1 } }));
      await expect(createBoardSensing({ hostRoot: board.root, hwProfilesDir: board.root, logger: silentLogger() })).rejects.toThrow(
        /hw profile .*bad\.json: thermalLimits\.warnC: /,
      );
    } finally {
      board.remove();
    }
  });
});
