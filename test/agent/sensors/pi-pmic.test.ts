import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePmicAdc, PmicInputReader } from '../../../agent/sensors/pi-pmic.js';
import { silentLogger } from '../../../shared/logger.js';
import { boardRoot, copyBoard, fixtureEnv } from './fixture-boards.js';

const readers: PmicInputReader[] = [];
const copies: Array<{ remove(): void }> = [];
afterEach(() => {
  readers.splice(0).forEach((r) => r.close());
  copies.splice(0).forEach((c) => c.remove());
});

function reader(root: string, now: () => number = Date.now): PmicInputReader {
  const r = new PmicInputReader(join(root, 'bin', 'vcgencmd'), fixtureEnv(root), now, silentLogger());
  readers.push(r);
  return r;
}

describe('Pi 5 PMIC', () => {
  it('parses every rail of pmic_read_adc', () => {
    const rails = parsePmicAdc(readFileSync(join(boardRoot('rpi5'), 'pmic_read_adc.txt'), 'utf8'));
    expect(rails).toHaveLength(26);
    expect(rails).toContainEqual({ rail: 'VDD_CORE', unit: 'A', value: 1.4288 });
    expect(rails).toContainEqual({ rail: 'VDD_CORE', unit: 'V', value: 0.9065925 });
    expect(rails).toContainEqual({ rail: 'EXT5V', unit: 'V', value: 5.05716 });
  });

  it('reads EXT5V through vcgencmd once at start and serves it from cache', async () => {
    const r = reader(boardRoot('rpi5'));
    await r.start();
    expect(r.inputVolts()).toBe(5.05716);
  });

  it('gives up on a hung vcgencmd after its timeout and reports no voltage', async () => {
    const board = copyBoard('rpi5');
    copies.push(board);
    // `read` waits forever on the open stdin pipe: a vcgencmd that never answers.
    writeFileSync(join(board.root, 'bin', 'vcgencmd'), '#!/bin/sh\nread line\n', { mode: 0o755 });
    const r = reader(board.root);
    await r.start();
    expect(r.inputVolts()).toBeNull();
  });

  it('expires the cached value when it is older than 30 s', async () => {
    let now = 1_000_000;
    const r = reader(boardRoot('rpi5'), () => now);
    await r.start();
    now += 30_000;
    expect(r.inputVolts()).toBe(5.05716);
    now += 1;
    expect(r.inputVolts()).toBeNull();
  });
});
