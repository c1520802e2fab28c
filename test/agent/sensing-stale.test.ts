/**
 * A broken sensor file on a real board layout: the per-second sample goes on with the other
 * sensors, reports the broken one as stale, logs it once, and costs no more than a healthy one.
 */
import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createBoardSensing, type BoardSensing, type Reading } from '../../agent/sensing.js';
import { telemetry } from '../../shared/payloads/telemetry.js';
import { copyBoard, fixtureEnv, replaceWithFifo } from './sensors/fixture-boards.js';

const ZONE_TEMP = 'sys/class/thermal/thermal_zone0/temp';
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rpi4With(breakIt: (tempFile: string) => void) {
  const board = copyBoard('rpi4');
  cleanups.push(board.remove);
  breakIt(join(board.root, ZONE_TEMP));
  const lines: Array<{ level: number; msg: string; path?: string }> = [];
  const sensing = await createBoardSensing({
    hostRoot: board.root,
    hwProfilesDir: null,
    env: fixtureEnv(board.root),
    logger: pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as { level: number; msg: string }) }),
  });
  cleanups.push(() => sensing.close());
  await sensing.readFacts();
  return { root: board.root, sensing, lines };
}

/** A sample, or a failure after 5 s: a sample that never ends must fail the test, not hang it. */
async function sampleWithin(sensing: BoardSensing): Promise<Reading> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('sample did not finish within 5 s')), 5_000)));
  try {
    return await Promise.race([sensing.sample(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a FIFO as thermal_zone0/temp', () => {
  it('keeps sampling: that zone is stale, the other sensors still read, one log line', async () => {
    const { root, sensing, lines } = await rpi4With((file) => cleanups.push(replaceWithFifo(file)));
    for (let i = 0; i < 5; i++) {
      const reading = await sampleWithin(sensing);
      expect(reading.staleSensors).toEqual([ZONE_TEMP]);
      expect(reading.temps.map((t) => t.sensor)).not.toContain('cpu-thermal');
      // The hwmon view of the same SoC sensor still reads, so the CPU temperature is known.
      expect(reading.cpuTempC).toBe(71.54);
      expect(reading.power.underVoltageNow).toBe(true);
      expect(reading.load1).toBe(3.92);
      expect(telemetry.safeParse({ v: 1, seq: i, ...reading }).success).toBe(true);
    }
    expect(lines.filter((l) => l.level >= 40)).toEqual([expect.objectContaining({ path: join(root, ZONE_TEMP), msg: 'sensor path is not a regular file; skipping it' })]);

    // The sensor comes back as a file: read again, no longer stale, said once.
    rmSync(join(root, ZONE_TEMP));
    writeFileSync(join(root, ZONE_TEMP), '50000\n');
    const healed = await sampleWithin(sensing);
    expect(healed.staleSensors).toBeUndefined();
    expect(healed.temps).toContainEqual({ sensor: 'cpu-thermal', tempC: 50 });
    await sampleWithin(sensing);
    expect(lines.filter((l) => l.msg === 'sensor file readable again')).toHaveLength(1);
  });
});

describe('a 100 MB thermal_zone0/temp', () => {
  it('costs a sample no more time or memory than a healthy board', async () => {
    const { sensing, lines } = await rpi4With((file) => truncateSync(file, 100 * 1024 * 1024));
    await sampleWithin(sensing);
    const rssBefore = process.memoryUsage().rss;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const samples = 20;
    const readings: Reading[] = [];
    for (let i = 0; i < samples; i++) readings.push(await sampleWithin(sensing));
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    // Before: each sample read the whole file, about 0.4 s of CPU, and RSS passed 1 GB.
    expect(wallMs / samples).toBeLessThan(100);
    expect((cpu.user + cpu.system) / 1000 / samples).toBeLessThan(50);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    expect(readings.every((r) => r.staleSensors?.[0] === ZONE_TEMP && r.cpuTempC === 71.54)).toBe(true);
    expect(lines.filter((l) => l.level >= 40)).toHaveLength(1);
  });
});
