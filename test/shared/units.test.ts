import { describe, expect, it } from 'vitest';
import { formatBytes, parseBytes, parseDurationMs } from '../../shared/units.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('parseBytes', () => {
  it.each([
    ['1048576', MiB],
    ['0', 0],
    ['512b', 512],
    ['512MiB', 512 * MiB],
    ['8GiB', 8 * GiB],
    ['8G', 8 * GiB],
    ['512m', 512 * MiB],
    ['1.5g', 1.5 * GiB],
    ['4k', 4 * KiB],
    ['4KiB', 4 * KiB],
    ['4KB', 4000],
    ['16GB', 16e9],
    ['2MB', 2e6],
    ['1T', 1024 * GiB],
    ['1TB', 1e12],
    ['1tib', 1024 * GiB],
    [' 8 GiB ', 8 * GiB],
    ['0.5k', 512],
    ['1.0001k', 1024],
  ])('%j is %i bytes', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each(['', ' ', 'GiB', '8XB', '8GiBs', '-1G', '1,5G', '1e9', '.5G', '5.G', '8 G B', 'lots'])('%j is not a byte size', (text) => {
    expect(parseBytes(text)).toBeNull();
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['10', 10_000],
    ['1.5', 1500],
    [' 5s ', 5000],
    ['0s', 0],
  ])('%j is %i ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', 's', 'abc', '10x', '1m30', '1m 30s', '-5s', '5 s', '1d', 'ms5'])('%j is not a duration', (text) => {
    expect(parseDurationMs(text)).toBeNull();
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0B'],
    [512, '512B'],
    [1023, '1023B'],
    [1024, '1.0KiB'],
    [1536, '1.5KiB'],
    [10 * KiB, '10KiB'],
    [512 * MiB, '512MiB'],
    [8 * GiB, '8.0GiB'],
    [7.8 * GiB, '7.8GiB'],
    [2048 * GiB, '2.0TiB'],
    [1024 * 1024 * GiB, '1024TiB'],
  ])('%i is %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('reads back what it writes, within its rounding', () => {
    for (const bytes of [512, 1536, 512 * MiB, 8 * GiB]) {
      expect(parseBytes(formatBytes(bytes))).toBe(bytes);
    }
  });
});
