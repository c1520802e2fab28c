/** Broken sensor files read as absent, are logged once, and never throw. */
import { chmodSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HostFs } from '../../../agent/sensors/host-fs.js';
import { readThermalZones, discoverThermalZones } from '../../../agent/sensors/thermal-zones.js';
import { boardRoot, copyBoard } from './fixture-boards.js';

function capturingFs(root: string) {
  const warnings: Array<{ path: string; code?: string; fileType?: string; msg: string }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
  return { fs: new HostFs(root, logger), warnings };
}

const copies: Array<{ remove(): void }> = [];
afterEach(() => copies.splice(0).forEach((c) => c.remove()));

describe('HostFs', () => {
  it('reads under the host root and strips device-tree NULs', async () => {
    const { fs } = capturingFs(boardRoot('rpi4'));
    expect(await fs.readText('sys/firmware/devicetree/base/model')).toBe('Raspberry Pi 4 Model B Rev 1.4');
    expect(await fs.readText('proc/sys/kernel/hostname')).toBe('pi4-kitchen');
  });

  it('treats a missing file as absent without a warning', async () => {
    const { fs, warnings } = capturingFs(boardRoot('vm'));
    expect(await fs.readText('sys/class/thermal/thermal_zone0/temp')).toBeNull();
    expect(await fs.list('sys/class/hwmon')).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('reports a directory where a file is expected once, however often it is read', async () => {
    const { fs, warnings } = capturingFs(boardRoot('broken'));
    for (let i = 0; i < 3; i++) expect(await fs.readText('sys/class/thermal/thermal_zone1/temp')).toBeNull();
    expect(warnings).toMatchObject([{ fileType: 'directory', msg: 'sensor path is not a regular file; skipping it' }]);
  });

  it('reports a symlink loop instead of following it', async () => {
    const { fs, warnings } = capturingFs(boardRoot('broken'));
    expect(await fs.isDir('sys/class/hwmon/hwmon1')).toBe(false);
    expect(warnings).toMatchObject([{ code: 'ELOOP' }]);
  });

  it('survives an I/O error from the kernel (EIO)', async () => {
    const board = copyBoard('broken');
    copies.push(board);
    // Reading /proc/self/mem from offset 0 fails with EIO: a real kernel I/O error, like a dying sensor.
    symlinkSync('/proc/self/mem', join(board.root, 'sys/class/thermal/thermal_zone3/eio'));
    const { fs, warnings } = capturingFs(board.root);
    expect(await fs.readText('sys/class/thermal/thermal_zone3/eio')).toBeNull();
    expect(warnings).toMatchObject([{ code: 'EIO' }]);
  });

  it('reads a chmod 000 file only when running as root, as the kernel would allow', async () => {
    const board = copyBoard('broken');
    copies.push(board);
    chmodSync(join(board.root, 'sys/class/thermal/thermal_zone3/temp'), 0o000);
    const { fs } = capturingFs(board.root);
    const zones = await discoverThermalZones(fs);
    const temps = await readThermalZones(fs, zones);
    const isRoot = process.getuid?.() === 0;
    expect(temps).toEqual(isRoot ? [{ sensor: 'soc-thermal', tempC: 45 }] : []);
  });
});
