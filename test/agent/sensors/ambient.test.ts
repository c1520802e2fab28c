/** Ambient sensor parsing against what a flaky 1-wire bus and a hostile board can present. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverAmbientSensors, parseW1Slave, readAmbient } from '../../../agent/sensors/ambient.js';
import { HostFs } from '../../../agent/sensors/host-fs.js';
import { silentLogger } from '../../../shared/logger.js';
import { copyBoard } from './fixture-boards.js';

const boards: Array<{ remove(): void }> = [];
afterEach(() => boards.splice(0).forEach((b) => b.remove()));

describe('parseW1Slave', () => {
  it('reads t= when the CRC matched', () => {
    expect(parseW1Slave('72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n')).toBe(23125);
    expect(parseW1Slave('ff ff ff ff ff ff ff ff ff : crc=c9 YES\nff ff ff ff ff ff ff ff ff t=-62\n')).toBe(-62);
  });

  it('gives no reading on a CRC failure, garbage or nothing', () => {
    expect(parseW1Slave('72 01 4b 46 7f ff 0e 10 57 : crc=12 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n')).toBeNull();
    expect(parseW1Slave('t=23125')).toBeNull();
    expect(parseW1Slave('')).toBeNull();
    expect(parseW1Slave(null)).toBeNull();
  });
});

describe('ambient sensors on a hostile board', () => {
  it('cuts names to a safe label, drops implausible values and stops at 16 sensors', async () => {
    const board = copyBoard('rpi4');
    boards.push(board);
    const iio = join(board.root, 'sys/bus/iio/devices');
    for (let i = 0; i < 20; i++) {
      mkdirSync(join(iio, `iio:device${i}`), { recursive: true });
      writeFileSync(join(iio, `iio:device${i}`, 'name'), i === 0 ? '\u001b[31mevil name\n' + 'x'.repeat(500) : `s${i}`);
      writeFileSync(join(iio, `iio:device${i}`, 'in_temp_input'), i === 1 ? '999999999' : '21500');
    }
    const fs = new HostFs(board.root, silentLogger());
    const sensors = await discoverAmbientSensors(fs);
    expect(sensors).toHaveLength(16);
    const readings = await readAmbient(fs, sensors);
    expect(readings[0]?.sensor).toBe(`iio:__31mevil_name_${'x'.repeat(33)}`);
    expect(readings[0]?.sensor.length).toBeLessThanOrEqual(64);
    expect(readings.map((r) => r.sensor)).not.toContain('iio:s1');
    expect(readings.every((r) => r.tempC === 21.5)).toBe(true);
  });
});
