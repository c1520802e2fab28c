/**
 * Images that fit the board. The Docker driver reads an image's platform after the pull and
 * rejects a task whose image is built for another architecture with one message; the manager reads
 * that message back from the rejected task to stop offering the image to boards of that
 * architecture (the way Swarm's platform filter uses an image's platforms).
 */
import { archEquals, canonicalArch } from './arch.js';

export interface ImagePlatform {
  os: string;
  /** Go style, as images and Docker name it (amd64, arm64, arm). */
  arch: string;
}

const GO_ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm', i686: '386' };

/** The Go-style name Docker uses for a board's `uname -m` architecture. */
export function goArch(arch: string): string {
  const canonical = canonicalArch(arch);
  return GO_ARCH[canonical] ?? canonical;
}

export function formatPlatform(p: ImagePlatform): string {
  return `${p.os.toLowerCase()}/${goArch(p.arch)}`;
}

export function platformFits(image: ImagePlatform, board: ImagePlatform): boolean {
  return (image.os === '' || image.os.toLowerCase() === board.os.toLowerCase()) && (image.arch === '' || archEquals(image.arch, board.arch));
}

/** `image X is linux/amd64, this board is linux/arm64` */
export function platformMismatch(image: string, imagePlatform: ImagePlatform, board: ImagePlatform): string {
  return `image ${image} is ${formatPlatform(imagePlatform)}, this board is ${formatPlatform(board)}`;
}

const MISMATCH = /^image (\S+) is ([a-z0-9_]+)\/([a-z0-9_]+), this board is /;

/** The image and its platform from a task error written by platformMismatch, or null. */
export function parsePlatformMismatch(error: string | null): { image: string; platform: ImagePlatform } | null {
  const m = error === null ? null : MISMATCH.exec(error);
  if (!m?.[1] || !m[2] || !m[3]) return null;
  return { image: m[1], platform: { os: m[2], arch: m[3] } };
}
