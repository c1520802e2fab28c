import { describe, expect, it } from 'vitest';
import {
  matchConstraint,
  matchConstraints,
  parseConstraint,
  parseConstraints,
  type ConstraintSubject,
} from '../../../shared/constraints/index.js';

const GiB = 1024 ** 3;

function node(overrides: Partial<ConstraintSubject> = {}): ConstraintSubject {
  return {
    id: 'pi-kitchen',
    hostname: 'Pi-Kitchen',
    role: 'worker',
    platform: { os: 'linux', arch: 'aarch64' },
    labels: { board: 'rpi4', Zone: 'north' },
    engineLabels: { rack: 'R1' },
    hw: { cpuCores: 4, memoryBytes: 8 * GiB, gpuCount: 0, gpuMemoryBytes: 0 },
    ...overrides,
  };
}

const pi = node({ hw: { cpuCores: 4, memoryBytes: 8 * GiB, gpuCount: 0, gpuMemoryBytes: 0, ambientC: null } });
const enclosure = node({ id: 'pi-shed', hostname: 'pi-shed', hw: { cpuCores: 4, memoryBytes: 8 * GiB, gpuCount: 0, gpuMemoryBytes: 0, ambientC: 31.437 } });
const gpuBox = node({
  id: 'gpu-1',
  hostname: 'gpu-1',
  role: 'manager',
  platform: { os: 'linux', arch: 'x86_64' },
  labels: { gpu: 'true', 'gpu.vendor': 'nvidia' },
  engineLabels: {},
  hw: { cpuCores: 16, memoryBytes: 64 * GiB, gpuCount: 2, gpuMemoryBytes: 24 * GiB },
});
const pi3 = node({ id: 'pi3', hostname: 'pi3', platform: { os: 'linux', arch: 'armv7l' }, labels: {}, engineLabels: {} });

/** [expression, node, matches] */
const CASES: [string, ConstraintSubject, boolean][] = [
  ['node.id==pi-kitchen', pi, true],
  ['node.id==PI-KITCHEN', pi, true],
  ['node.id!=pi-kitchen', pi, false],
  ['node.hostname==pi-kitchen', pi, true],
  ['node.hostname!=node-2', pi, true],
  ['node.role==worker', pi, true],
  ['node.role==manager', pi, false],
  ['node.role!=manager', pi, true],
  ['node.role==Manager', gpuBox, true],
  ['node.platform.os==Linux', pi, true],
  ['node.platform.os==windows', pi, false],
  // Architecture aliases are equal: Swarm's raw `uname -m` comparison would fail these.
  ['node.platform.arch==arm64', pi, true],
  ['node.platform.arch==aarch64', pi, true],
  ['node.platform.arch==ARM64', pi, true],
  ['node.platform.arch==x86_64', pi, false],
  ['node.platform.arch!=arm64', pi, false],
  ['node.platform.arch==amd64', gpuBox, true],
  ['node.platform.arch==x64', gpuBox, true],
  ['node.platform.arch==armhf', pi3, true],
  ['node.platform.arch==arm', pi3, true],
  ['node.platform.arch==arm64', pi3, false],
  // Labels: values fold case, names do not; a missing label fails == and satisfies !=.
  ['node.labels.board==RPI4', pi, true],
  ['node.labels.Zone==north', pi, true],
  ['NODE.LABELS.Zone==north', pi, true],
  ['node.labels.zone==north', pi, false],
  ['node.labels.zone!=north', pi, true],
  ['node.labels.gpu==true', pi, false],
  ['node.labels.gpu!=true', pi, true],
  ['node.labels.gpu==true', gpuBox, true],
  ['node.labels.gpu.vendor==nvidia', gpuBox, true],
  ['node.labels.constructor==x', pi, false],
  ['node.labels.constructor!=x', pi, true],
  // Engine labels are their own namespace.
  ['engine.labels.rack==r1', pi, true],
  ['node.labels.rack==r1', pi, false],
  ['engine.labels.board==rpi4', pi, false],
  ['engine.labels.rack!=r1', pi3, true],
  // node.hw.*: numeric comparisons in bytes and counts.
  ['node.hw.cpu.cores>=4', pi, true],
  ['node.hw.cpu.cores>4', pi, false],
  ['node.hw.cpu.cores<8', pi, true],
  ['node.hw.cpu.cores<=3', pi, false],
  ['node.hw.cpu.cores==4', pi, true],
  ['node.hw.cpu.cores!=4', pi, false],
  ['node.hw.memory>=8GiB', pi, true],
  ['node.hw.memory>=8G', pi, true],
  ['node.hw.memory>8GiB', pi, false],
  ['node.hw.memory>=8GB', pi, true],
  ['node.hw.memory>=9GB', pi, false],
  ['node.hw.memory<=512MiB', pi, false],
  ['node.hw.gpu.count>0', pi, false],
  ['node.hw.gpu.count>0', gpuBox, true],
  ['node.hw.gpu.count==2', gpuBox, true],
  ['node.hw.gpu.memory>=16GiB', gpuBox, true],
  ['node.hw.gpu.memory>=16GiB', pi, false],
  ['node.hw.gpu.memory<32GiB', gpuBox, true],
  // node.hw.ambient: the warmest enclosure sensor, in C; a board without one fails (fail closed).
  ['node.hw.ambient<35', enclosure, true],
  ['node.hw.ambient<31.5', enclosure, true],
  ['node.hw.ambient<=31.4', enclosure, false],
  ['node.hw.ambient>-5', enclosure, true],
  ['node.hw.ambient<35', pi, false],
  ['node.hw.ambient!=20', pi, false],
  // Judging a running task (no live reading in the subject): ambient constraints do not move it.
  ['node.hw.ambient<35', node(), true],
];

describe('matchConstraint', () => {
  for (const [expression, subject, expected] of CASES) {
    it(`${expression} on ${subject.id} is ${expected}`, () => {
      expect(matchConstraint(parseConstraint(expression), subject)).toBe(expected);
    });
  }
});

describe('a hostname another node holds', () => {
  const impostor = node({ id: 'evil', hostnameConflict: 'pi' });

  it('fails every node.hostname constraint, == and != alike', () => {
    expect(matchConstraint(parseConstraint('node.hostname==pi-kitchen'), impostor)).toBe(false);
    expect(matchConstraint(parseConstraint('node.hostname!=somewhere-else'), impostor)).toBe(false);
  });

  it('leaves every other constraint alone', () => {
    expect(matchConstraint(parseConstraint('node.id==evil'), impostor)).toBe(true);
    expect(matchConstraint(parseConstraint('node.labels.board==rpi4'), impostor)).toBe(true);
  });
});

describe('matchConstraints', () => {
  const cs = parseConstraints(['node.platform.arch==arm64', 'node.labels.board==rpi4', 'node.hw.memory>=4G']);

  it('returns null when the node satisfies every constraint', () => {
    expect(matchConstraints(cs, pi)).toBeNull();
  });

  it('returns the first constraint the node fails, for the scheduler to explain', () => {
    expect(matchConstraints(cs, gpuBox)?.text).toBe('node.platform.arch==arm64');
    expect(matchConstraints(cs, pi3)?.text).toBe('node.platform.arch==arm64');
    const smallPi = node({ hw: { cpuCores: 4, memoryBytes: 2 * GiB, gpuCount: 0, gpuMemoryBytes: 0 } });
    expect(matchConstraints(cs, smallPi)?.text).toBe('node.hw.memory>=4G');
  });

  it('places anywhere when there are no constraints', () => {
    expect(matchConstraints([], pi3)).toBeNull();
  });
});
