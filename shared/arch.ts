/**
 * CPU architecture names. Kelvin reports `uname -m` style names (as Docker Swarm does) but treats
 * the aliases Node and Go use as equal, so `node.platform.arch==arm64` matches a Raspberry Pi.
 */

const ALIASES: Record<string, string> = {
  x86_64: 'x86_64',
  amd64: 'x86_64',
  x64: 'x86_64',
  aarch64: 'aarch64',
  arm64: 'aarch64',
  armv7l: 'armv7l',
  armhf: 'armv7l',
  arm: 'armv7l',
  armv7: 'armv7l',
  i386: 'i686',
  i686: 'i686',
  ia32: 'i686',
  x86: 'i686',
};

/** The canonical `uname -m` name for any alias; unknown names come back lower-cased. */
export function canonicalArch(name: string): string {
  const lower = name.trim().toLowerCase();
  return ALIASES[lower] ?? lower;
}

export function archEquals(a: string, b: string): boolean {
  return canonicalArch(a) === canonicalArch(b);
}
