import { describe, expect, it } from 'vitest';
import { archEquals, canonicalArch } from '../../shared/arch.js';

describe('canonicalArch', () => {
  it.each([
    ['x86_64', 'x86_64'],
    ['amd64', 'x86_64'],
    ['x64', 'x86_64'],
    ['AMD64', 'x86_64'],
    ['aarch64', 'aarch64'],
    ['arm64', 'aarch64'],
    [' ARM64 ', 'aarch64'],
    ['armv7l', 'armv7l'],
    ['armhf', 'armv7l'],
    ['arm', 'armv7l'],
    ['armv7', 'armv7l'],
    ['i386', 'i686'],
    ['ia32', 'i686'],
    ['x86', 'i686'],
    ['RISCV64', 'riscv64'],
    ['armv6l', 'armv6l'],
  ])('%j is %j', (name, canonical) => {
    expect(canonicalArch(name)).toBe(canonical);
  });
});

describe('archEquals', () => {
  it.each([
    ['arm64', 'aarch64', true],
    ['aarch64', 'ARM64', true],
    ['x86_64', 'amd64', true],
    ['x64', 'amd64', true],
    ['armv7l', 'armhf', true],
    ['arm', 'armv7l', true],
    ['riscv64', 'RISCV64', true],
    ['arm64', 'armv7l', false],
    ['arm', 'arm64', false],
    ['x86_64', 'i386', false],
    ['armv6l', 'armv7l', false],
    ['x86_64', '', false],
  ])('%j and %j: %s', (a, b, equal) => {
    expect(archEquals(a, b)).toBe(equal);
    expect(archEquals(b, a)).toBe(equal);
  });
});
