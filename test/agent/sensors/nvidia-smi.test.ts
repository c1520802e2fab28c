/** Parsing nvidia-smi output, taken from real captures replayed by the stand-in nvidia-smi. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../agent/sensors/nvidia-inventory.js';
import { csvActive, csvNumber, csvText } from '../../../agent/sensors/nvidia-smi-csv.js';
import { parseStreamLine, streamArgs } from '../../../agent/sensors/nvidia-stream.js';
import { FIXTURE_BIN, FIXTURES_DIR, fixtureEnv } from './fixture-boards.js';

const MIB = 1024 * 1024;

function standIn(args: string[], vars: Record<string, string>): string {
  return execFileSync(join(FIXTURE_BIN, 'nvidia-smi'), args, { env: fixtureEnv('/nonexistent', { vars }), encoding: 'utf8' });
}

/** One snapshot of what the stream prints (no -lms: a single batch). */
function streamOnce(capture: string, legacy = false): string[] {
  const args = streamArgs(legacy).slice(0, 2);
  return standIn(args, { FAKE_NVIDIA_SMI_CAPTURES: capture }).trim().split('\n');
}

describe('nvidia-smi inventory', () => {
  it.each([
    ['h100', 'NVIDIA H100 80GB HBM3', 81559],
    ['l40s', 'NVIDIA L40S', 46068],
    ['rtx-2080-super', 'NVIDIA GeForce RTX 2080 SUPER', 8192],
  ])('reads model, memory and uuid from the %s capture', (capture, model, mib) => {
    const out = standIn(['--query-gpu=index,name,uuid,memory.total', '--format=csv,noheader,nounits'], { FAKE_NVIDIA_SMI_CAPTURES: capture });
    expect(parseInventory(out)).toEqual([{ smiIndex: 0, fact: { vendor: 'nvidia', model, memoryBytes: mib * MIB, uuid: 'GPU-00000000-0000-0000-0000-000000000000' } }]);
  });

  it('ignores lines that are not GPU rows', () => {
    expect(parseInventory('No devices were found\n')).toEqual([]);
  });
});

describe('nvidia-smi stream lines', () => {
  it('parses the H100 under load', () => {
    expect(streamOnce('h100').map(parseStreamLine)).toEqual([{ smiIndex: 0, tempC: 59, utilPct: 100, memUsedBytes: 19818 * MIB, thermalSlowdown: false }]);
  });

  it('parses [N/A] utilisation on a MIG H100 as null', () => {
    expect(streamOnce('h100-mig').map(parseStreamLine)).toEqual([{ smiIndex: 0, tempC: 53, utilPct: null, memUsedBytes: 11125 * MIB, thermalSlowdown: false }]);
  });

  it('parses the old clocks_throttle_reasons query the same way', () => {
    expect(streamOnce('rtx-2080-super', true).map(parseStreamLine)).toEqual([{ smiIndex: 0, tempC: 45, utilPct: 8, memUsedBytes: 819 * MIB, thermalSlowdown: false }]);
  });

  it('gives null slowdown when both reasons are unsupported, and refuses short lines', () => {
    expect(parseStreamLine('0, 40, 3, 100, [Not Supported], [N/A]')).toMatchObject({ thermalSlowdown: null });
    expect(parseStreamLine('0, 40, 3, 100, Not Active, Active')).toMatchObject({ thermalSlowdown: true });
    expect(parseStreamLine('0, 40')).toBeNull();
    expect(parseStreamLine('Unable to determine the device handle for GPU0000:01:00.0: Unknown Error')).toBeNull();
  });
});

describe('csv values', () => {
  it('turns every bracketed placeholder into null', () => {
    for (const v of ['[N/A]', '[Not Supported]', '[Unknown Error]', '[Requested functionality has been deprecated]']) {
      expect(csvNumber(v)).toBeNull();
      expect(csvText(v)).toBeNull();
      expect(csvActive(v)).toBeNull();
    }
    expect(csvNumber('69.85')).toBe(69.85);
    expect(csvNumber('69.85 W')).toBeNull();
  });
});

describe('a real H100 on driver 580 (captured on a lent GPU machine with the agent\'s own commands)', () => {
  const capture = readFileSync(join(FIXTURES_DIR, 'nvidia-smi', 'h100-device-580.txt'), 'utf8').split('\n');
  /** The output lines under `# $ nvidia-smi <args>` up to the next comment or blank line. */
  const outputOf = (args: string): string[] => {
    const at = capture.findIndex((l) => l.startsWith(`# $ nvidia-smi ${args}`));
    const end = capture.findIndex((l, i) => i > at && (l.startsWith('#') || l === ''));
    return capture.slice(at + 1, end);
  };

  it('inventory: one H100 with its memory and uuid', () => {
    const lines = outputOf('--query-gpu=index,name,uuid,memory.total --format=csv,noheader,nounits');
    expect(parseInventory(lines.join('\n'))).toEqual([
      { smiIndex: 0, fact: { vendor: 'nvidia', model: 'NVIDIA H100 80GB HBM3', memoryBytes: 81559 * MIB, uuid: 'GPU-409c0418-9370-6070-d551-dec2b281d4b9' } },
    ]);
  });

  it('stream: a line a second, each a full reading', () => {
    const lines = outputOf(`${streamArgs(false).slice(0, 2).join(' ')} -lms 1000`);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(parseStreamLine(line)).toEqual({ smiIndex: 0, tempC: 36, utilPct: 0, memUsedBytes: 0, thermalSlowdown: false });
  });
});
