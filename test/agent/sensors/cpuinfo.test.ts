import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countCpuList, parseCpuInfo } from '../../../agent/sensors/cpuinfo.js';
import { boardRoot } from './fixture-boards.js';

const cpuinfo = (board: string) => readFileSync(join(boardRoot(board), 'proc/cpuinfo'), 'utf8');

describe('cpuinfo', () => {
  it('uses the model name on x86 and 32-bit ARM', () => {
    expect(parseCpuInfo(cpuinfo('x86-amd'))).toEqual({ model: 'AMD Ryzen 7 5800X 8-Core Processor', cores: 8 });
    expect(parseCpuInfo(cpuinfo('rpi3bplus'))).toEqual({ model: 'ARMv7 Processor rev 4 (v7l)', cores: 4 });
  });

  it('names 64-bit ARM cores from implementer and part', () => {
    expect(parseCpuInfo(cpuinfo('rpi4'))).toEqual({ model: 'Cortex-A72', cores: 4 });
    expect(parseCpuInfo(cpuinfo('jetson-nano'))).toEqual({ model: 'Cortex-A57', cores: 4 });
  });

  it('names both core types of a big.LITTLE board and keeps unknown parts readable', () => {
    const block = (n: number, part: string) => `processor\t: ${n}\nCPU implementer\t: 0x41\nCPU part\t: ${part}\n`;
    const text = [block(0, '0xd05'), block(1, '0xd05'), block(2, '0xd0b'), block(3, '0xd99')].join('\n');
    expect(parseCpuInfo(text)).toEqual({ model: 'Cortex-A55 + Cortex-A76 + ARM implementer 0x41 part 0xd99', cores: 4 });
  });

  it('counts CPUs in a kernel cpu list', () => {
    expect(countCpuList('0-3,6')).toBe(5);
    expect(countCpuList('0')).toBe(1);
    expect(countCpuList(null)).toBe(0);
  });
});
