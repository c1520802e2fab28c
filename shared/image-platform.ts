/**
 * Images that fit the board. The Docker driver learns an image's platforms before the pull (the
 * registry's manifest list, through the engine) or after it (the pulled image), rejects a task
 * whose image has none that fits the board with one message, and reports the platforms it found in
 * the task's status; the manager stores them per image and offers the image only to boards that
 * fit (the way Swarm's platform filter uses an image's platforms).
 */
import { z } from 'zod';
import { canonicalArch } from './arch.js';

/** OCI/Docker platform names: os and Go-style architecture (amd64, arm64, arm), variant for arm (v6, v7). */
export interface ImagePlatform {
  os: string;
  arch: string;
  variant?: string;
}

/** At most this many platforms are reported and stored per image (a manifest list rarely has ten). */
export const MAX_IMAGE_PLATFORMS = 32;
const platformName = z.string().min(1).max(32).regex(/^[a-z0-9._-]+$/, 'platform names: lower-case letters, digits, . _ -');
export const imagePlatform = z.object({ os: platformName, arch: platformName, variant: platformName.optional() });
export const imagePlatforms = z.array(imagePlatform).min(1).max(MAX_IMAGE_PLATFORMS);

const GO_ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm', armv6l: 'arm', i686: '386' };
/** The ARM version a 32-bit board runs (`uname -m`), its platform variant. */
const ARM_VARIANT: Record<string, string> = { armv7l: 'v7', armv6l: 'v6' };

/** The Go-style name Docker uses for a board's `uname -m` architecture. */
export function goArch(arch: string): string {
  const canonical = canonicalArch(arch);
  return GO_ARCH[canonical] ?? canonical;
}

/** The platform a board runs, from its facts (`uname -m` style architecture). */
export function boardPlatform(os: string, arch: string): ImagePlatform {
  const variant = ARM_VARIANT[canonicalArch(arch)];
  return { os: os.toLowerCase(), arch: goArch(arch), ...(variant ? { variant } : {}) };
}

export function formatPlatform(p: ImagePlatform): string {
  return `${p.os.toLowerCase()}/${goArch(p.arch)}${p.variant ? `/${p.variant}` : ''}`;
}

function armVersion(variant: string | undefined): number | null {
  const m = variant === undefined ? null : /^v(\d+)$/.exec(variant);
  return m ? Number(m[1]) : null;
}

/** Empty names are unknown and fit; a 32-bit ARM board runs images for its ARM version and older ones, as Docker's matcher does. */
export function platformFits(image: ImagePlatform, board: ImagePlatform): boolean {
  if (image.os !== '' && image.os.toLowerCase() !== board.os.toLowerCase()) return false;
  if (image.arch === '') return true;
  if (goArch(image.arch) !== goArch(board.arch)) return false;
  if (goArch(board.arch) !== 'arm') return true;
  const want = armVersion(image.variant);
  const have = armVersion(board.variant);
  return want === null || have === null || want <= have;
}

/** Whether any of `platforms` runs on the board; an empty list says nothing, so it fits. */
export function anyPlatformFits(platforms: readonly ImagePlatform[], board: ImagePlatform): boolean {
  return platforms.length === 0 || platforms.some((p) => platformFits(p, board));
}

/** `image X is linux/amd64, this board is linux/arm64`; for several: `image X is linux/amd64, linux/ppc64le; this board is linux/arm64`. */
export function platformMismatch(image: string, platforms: readonly ImagePlatform[], board: ImagePlatform): string {
  const names = [...new Set(platforms.map(formatPlatform))];
  return `image ${image} is ${names.join(', ')}${names.length > 1 ? ';' : ','} this board is ${formatPlatform(board)}`;
}
