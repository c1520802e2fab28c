/**
 * Sensor reads are bounded in size and time: a FIFO, socket or huge file where a sysfs attribute
 * belongs, or a driver whose read never answers, makes that one sensor stale (null, logged once)
 * while every other read goes on, and never takes the threadpool the rest of the agent needs.
 */
import { closeSync, constants, lstatSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readBoundedFile, type FileReader } from '../../../agent/sensors/bounded-read.js';
import { HostFs, SENSOR_READ_SLOTS, SENSOR_READ_TIMEOUT_MS } from '../../../agent/sensors/host-fs.js';
import { copyBoard, feedFifo, replaceWithFifo } from './fixture-boards.js';

interface LogLine {
  level: number;
  msg: string;
  path?: string;
  fileType?: string;
  maxBytes?: number;
}

function capturing(root: string, readFileImpl?: FileReader) {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { fs: new HostFs(root, logger, readFileImpl ? { readFile: readFileImpl } : {}), lines };
}

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function board(name: string): string {
  const copy = copyBoard(name);
  cleanups.push(copy.remove);
  return copy.root;
}

function mkfifo(path: string): void {
  cleanups.push(replaceWithFifo(path));
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}

describe('a file that is not a regular file where a sensor belongs', () => {
  it('skips a FIFO without opening it, logs it once, lists it as stale, and reads it again once it is a file', async () => {
    const root = board('broken');
    const rel = 'sys/class/thermal/thermal_zone3/temp';
    mkfifo(join(root, rel));
    const { fs, lines } = capturing(root);
    const tick = fs.recording();
    for (let i = 0; i < 5; i++) {
      // Before: open() blocked a threadpool thread until a writer came, so this never resolved.
      const { value, ms } = await timed(tick.fs.readText(rel));
      expect(value).toBeNull();
      expect(ms).toBeLessThan(SENSOR_READ_TIMEOUT_MS); // skipped by its type, not by the deadline
    }
    expect(await fs.readText('sys/class/thermal/thermal_zone0/temp')).toBe('hot'); // the others still read
    expect(tick.stale()).toEqual([rel]);
    expect(lines).toEqual([expect.objectContaining({ level: 40, fileType: 'fifo', path: join(root, rel), msg: 'sensor path is not a regular file; skipping it' })]);

    rmSync(join(root, rel));
    writeFileSync(join(root, rel), '41000\n');
    expect(await fs.readText(rel)).toBe('41000');
    expect(await fs.readText(rel)).toBe('41000');
    expect(lines.map((l) => l.msg)).toEqual(['sensor path is not a regular file; skipping it', 'sensor file readable again']);
  });

  it('skips a Unix socket and a device node', async () => {
    const root = board('broken');
    const socketPath = join(root, 'sys/class/thermal/thermal_zone3/temp');
    rmSync(socketPath);
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { fs, lines } = capturing(root);
    expect(await fs.readText('sys/class/thermal/thermal_zone3/temp')).toBeNull();
    // /dev/null through a link: a character device, never opened.
    execFileSync('ln', ['-s', '/dev/null', join(root, 'sys/class/thermal/thermal_zone0/dev')]);
    expect(await fs.readText('sys/class/thermal/thermal_zone0/dev')).toBeNull();
    expect(lines.map((l) => l.fileType)).toEqual(['socket', 'character device']);
  });
});

describe('a sensor file larger than a sensor value', () => {
  it('refuses a 100 MB file after reading 4 KiB of it, fast and without the memory', async () => {
    const root = board('broken');
    const rel = 'sys/class/thermal/thermal_zone3/temp';
    truncateSync(join(root, rel), 100 * 1024 * 1024);
    const { fs, lines } = capturing(root);
    const rssBefore = process.memoryUsage().rss;
    const { ms } = await timed(
      (async () => {
        for (let i = 0; i < 20; i++) expect(await fs.readText(rel)).toBeNull();
      })(),
    );
    // Before: each read took the whole file (about 0.4 s and hundreds of MB on this machine).
    expect(ms).toBeLessThan(2_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    expect(lines).toEqual([expect.objectContaining({ maxBytes: 4096, msg: 'sensor file is larger than a sensor value can be; ignoring it' })]);
  });

  it('still reads a file of exactly 4 KiB', async () => {
    const root = board('broken');
    writeFileSync(join(root, 'sys/class/thermal/thermal_zone3/temp'), '45000'.padEnd(4096, ' '));
    const { fs } = capturing(root);
    expect(await fs.readText('sys/class/thermal/thermal_zone3/temp')).toBe('45000');
  });

  it('reads a big proc table when the caller allows more', async () => {
    const root = board('broken');
    const cpuinfo = Array.from({ length: 200 }, (_, i) => `processor\t: ${i}\nmodel name\t: ${'x'.repeat(60)}\n`).join('\n');
    writeFileSync(join(root, 'proc/cpuinfo'), cpuinfo);
    const { fs } = capturing(root);
    expect(await fs.readText('proc/cpuinfo')).toBeNull();
    expect(await fs.readText('proc/cpuinfo', 1024 * 1024)).toBe(cpuinfo.trimEnd());
  });
});

describe('a sensor whose read never answers (a hung driver)', () => {
  /**
   * Stands in for a driver stuck in read(): a FIFO read the plain way blocks a real threadpool
   * thread in open() until the test feeds it. Every other file is read as the agent does.
   */
  function hangingDriver() {
    const calls: string[] = [];
    const reader: FileReader = async (path, maxBytes) => {
      if (!lstatSync(path).isFIFO()) return readBoundedFile(path, maxBytes);
      calls.push(path);
      return { kind: 'text', text: await readFile(path, 'utf8') };
    };
    return { reader, calls };
  }

  function tree(dirs: string[]): string {
    const root = mkdtempSync(join(tmpdir(), 'kelvin-hung-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    for (const d of dirs) {
      mkdirSync(join(root, d), { recursive: true });
      writeFileSync(join(root, d, 'temp1_input'), '40000\n');
      writeFileSync(join(root, d, 'temp2_input'), '41000\n');
    }
    return root;
  }

  it('abandons the read after the deadline, never re-issues it while it hangs, and reads it again once it answers', async () => {
    const root = tree(['hwmon0', 'hwmon1']);
    const hung = join(root, 'hwmon0/temp1_input');
    mkfifo(hung);
    const driver = hangingDriver();
    const { fs, lines } = capturing(root, driver.reader);

    const first = await timed(fs.readText('hwmon0/temp1_input'));
    expect(first.value).toBeNull();
    expect(first.ms).toBeGreaterThanOrEqual(SENSOR_READ_TIMEOUT_MS - 5);
    expect(first.ms).toBeLessThan(5_000);
    for (let i = 0; i < 5; i++) {
      const tick = fs.recording();
      const [same, sibling, other] = await Promise.all([
        tick.fs.readText('hwmon0/temp1_input'),
        tick.fs.readText('hwmon0/temp2_input'), // same chip: held too, a hung driver hangs all its files
        tick.fs.readText('hwmon1/temp1_input'),
      ]);
      expect([same, sibling, other]).toEqual([null, null, '40000']);
      expect(tick.stale()).toEqual(['hwmon0/temp1_input', 'hwmon0/temp2_input']);
    }
    expect(driver.calls).toHaveLength(1);
    expect(lines.filter((l) => l.level === 40).map((l) => [l.path, l.msg])).toEqual([
      [hung, 'sensor read did not answer in time; abandoned, sensor stale until it does'],
      [join(root, 'hwmon0/temp2_input'), 'a read of this sensor (or of its chip) is hung; sensor stale until it answers'],
    ]);

    // The driver answers at last, and the sensor is a plain file from then on: the chip is read
    // again as soon as the abandoned read returns, not before.
    const writer = openSync(hung, constants.O_WRONLY | constants.O_NONBLOCK);
    rmSync(hung);
    writeFileSync(hung, '43000\n');
    expect(await fs.readText('hwmon0/temp1_input')).toBeNull();
    writeSync(writer, '42000\n');
    closeSync(writer);
    const deadline = Date.now() + 10_000;
    while ((await fs.readText('hwmon0/temp1_input')) !== '43000') {
      if (Date.now() > deadline) throw new Error('the sensor was never read again after its hung read answered');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(driver.calls).toHaveLength(1);
    expect(await fs.readText('hwmon0/temp2_input')).toBe('41000');
    expect(lines.filter((l) => l.msg === 'sensor file readable again').map((l) => l.path)).toEqual([hung, join(root, 'hwmon0/temp2_input')]);
  });

  it('queues healthy reads behind each other without ever failing them (a big fact discovery)', async () => {
    const chips = Array.from({ length: 100 }, (_, i) => `hwmon${i}`);
    const root = tree(chips);
    const { fs, lines } = capturing(root);
    const files = chips.flatMap((c) => [`${c}/temp1_input`, `${c}/temp2_input`]);
    for (let round = 0; round < 3; round++) {
      const values = await Promise.all(files.map((f) => fs.readText(f)));
      expect(values.filter((v) => v === null)).toEqual([]);
    }
    expect(lines).toEqual([]);
  });

  it('does not blame a sensor for an event loop that was blocked', async () => {
    const root = tree(['hwmon0']);
    const { fs, lines } = capturing(root);
    const reading = fs.readText('hwmon0/temp1_input');
    const until = performance.now() + 2 * SENSOR_READ_TIMEOUT_MS;
    while (performance.now() < until); // a long GC pause or sync call: the read cannot progress either
    expect(await reading).toBe('40000');
    expect(lines).toEqual([]);
  });

  it('lets hung reads hold at most the sensor slots, so the threadpool still serves the rest of the agent', async () => {
    const chips = ['hwmon0', 'hwmon1', 'hwmon2', 'hwmon3', 'hwmon4', 'hwmon5'];
    const root = tree([...chips, 'healthy']);
    for (const chip of chips) mkfifo(join(root, chip, 'temp1_input'));
    const driver = hangingDriver();
    const { fs } = capturing(root, driver.reader);

    // Six hung chips, sampled three times: without the bound they would take all four pool threads.
    for (let i = 0; i < 3; i++) {
      const values = await Promise.all(chips.map((c) => fs.readText(`${c}/temp1_input`)));
      expect(values).toEqual(chips.map(() => null));
    }
    expect(driver.calls).toHaveLength(SENSOR_READ_SLOTS);
    // Any other fs call of the agent (state files, logs) still gets a thread at once.
    const other = await timed(readFile(join(root, 'healthy/temp2_input'), 'utf8'));
    expect(other.value).toBe('41000\n');
    expect(other.ms).toBeLessThan(2_000);
    // With both slots hung, the other sensors read stale at once instead of queueing behind them.
    const refused = await timed(fs.readText('healthy/temp1_input'));
    expect(refused.value).toBeNull();
    expect(refused.ms).toBeLessThan(SENSOR_READ_TIMEOUT_MS);

    // One hung chip answers: its slot serves the healthy sensors again.
    const [answered] = driver.calls;
    feedFifo(answered ?? '', '1\n');
    const deadline = Date.now() + 10_000;
    while ((await fs.readText('healthy/temp1_input')) !== '40000') {
      if (Date.now() > deadline) throw new Error('the freed slot never served a healthy sensor');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
