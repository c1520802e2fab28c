import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_REPORTED_DEVICES, readDevices } from '../../../agent/sensors/devices.js';
import { HostFs } from '../../../agent/sensors/host-fs.js';
import { silentLogger } from '../../../shared/logger.js';
import { boardRoot } from './fixture-boards.js';

const devicesOf = (root: string): Promise<string[]> => readDevices(new HostFs(root, silentLogger()));

describe('device facts', () => {
  it("lists a Pi's camera, serial ports, I2C, SPI and GPIO, and nothing else under /dev", async () => {
    expect(await devicesOf(boardRoot('rpi4'))).toEqual([
      '/dev/gpiochip0',
      '/dev/gpiochip10',
      '/dev/i2c-1',
      '/dev/serial0',
      '/dev/spidev0.0',
      '/dev/ttyAMA0',
      '/dev/ttyUSB0',
      '/dev/video0',
    ]);
  });

  it('lists accelerators: Coral, Hailo, render nodes and AMD kfd', async () => {
    expect(await devicesOf(boardRoot('x86-nvidia'))).toEqual(['/dev/apex_0', '/dev/dri/renderD128', '/dev/hailo0', '/dev/kfd', '/dev/ttyACM0']);
  });

  it('reports none for a board without /dev, and at most the bound for a hostile one', async () => {
    expect(await devicesOf(boardRoot('vm'))).toEqual([]);
    const root = mkdtempSync(join(tmpdir(), 'kelvin-dev-'));
    try {
      const dev = join(root, 'dev');
      mkdirSync(dev);
      for (let i = 0; i < MAX_REPORTED_DEVICES + 50; i++) writeFileSync(join(dev, `video${i}`), '');
      writeFileSync(join(dev, `ttyUSB${'9'.repeat(200)}`), '');
      const found = await devicesOf(root);
      expect(found).toHaveLength(MAX_REPORTED_DEVICES);
      expect(found[0]).toBe('/dev/video0');
      expect(found.every((p) => p.length <= 128)).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
