/**
 * Is the image built for this board? Before a pull the engine is asked for the image's
 * distribution info (`GET /distribution/{name}/json`: the platforms of the registry's manifest
 * list, or of the one manifest), so an image the board cannot run is rejected without pulling it;
 * where the engine cannot answer (no registry in reach, a private image, an image that exists
 * only here) the pulled image's own platform decides. A mismatch is permanent (pulling again will
 * not change what the image is built for) and carries the platforms for the manager to remember.
 */
import { z } from 'zod';
import type { Logger } from '../../../shared/logger.js';
import { anyPlatformFits, imagePlatform, MAX_IMAGE_PLATFORMS, platformMismatch, type ImagePlatform } from '../../../shared/image-platform.js';
import { ImagePlatformError } from '../types.js';
import type { EngineClient } from './engine-client.js';
import type { ImageInspect } from './image-inspect.js';

/** The engine asks the registry (a round trip or three over the board's link): bounded, then the pull decides. */
export const DISTRIBUTION_TIMEOUT_MS = 10_000;
/** A manifest list of a hundred platforms is ~20 KiB of this answer. */
const DISTRIBUTION_MAX_BYTES = 256 * 1024;

const distributionInspect = z.object({
  Platforms: z
    .array(z.object({ os: z.string().max(64), architecture: z.string().max(64), variant: z.string().max(64).optional() }))
    .max(1_000)
    .nullish(),
});

/** A Docker platform as Kelvin names it (an empty OS fits any); null for entries that are no platform (attestations are `unknown/unknown`). */
function platformOf(os: string | undefined, arch: string | undefined, variant?: string): ImagePlatform | null {
  const p = { os: (os ?? '').toLowerCase(), arch: (arch ?? '').toLowerCase(), variant: variant?.toLowerCase() };
  if (p.arch === '' || p.os === 'unknown' || p.arch === 'unknown') return null;
  return p.variant ? { os: p.os, arch: p.arch, variant: p.variant } : { os: p.os, arch: p.arch };
}

/** The platforms the registry lists for `image`, or null when the engine cannot tell. */
export async function registryPlatforms(client: EngineClient, image: string, logger: Logger, timeoutMs = DISTRIBUTION_TIMEOUT_MS): Promise<ImagePlatform[] | null> {
  let body: unknown;
  try {
    ({ body } = await client.request('GET', `/distribution/${encodeURIComponent(image)}/json`, { timeoutMs, maxBytes: DISTRIBUTION_MAX_BYTES }));
  } catch (err) {
    logger.debug({ image, err: (err as Error).message }, 'the registry did not say which platforms the image has; checking after the pull');
    return null;
  }
  const parsed = distributionInspect.safeParse(body);
  if (!parsed.success) return null;
  const platforms = (parsed.data.Platforms ?? []).map((p) => platformOf(p.os, p.architecture, p.variant)).filter((p) => p !== null);
  return platforms.length > 0 ? platforms : null;
}

/** Only names the wire takes are reported (one odd name must not cost the manager the whole status). */
function reject(image: string, platforms: ImagePlatform[], board: ImagePlatform): never {
  const listed = platforms.slice(0, MAX_IMAGE_PLATFORMS);
  throw new ImagePlatformError(platformMismatch(image, listed, board), listed.filter((p) => imagePlatform.safeParse(p).success));
}

/** Before the pull: rejects an image whose registry lists no platform of this board; silent when it cannot tell. */
export async function checkRegistryPlatforms(client: EngineClient, image: string, board: ImagePlatform, logger: Logger): Promise<void> {
  const platforms = await registryPlatforms(client, image, logger);
  if (platforms !== null && !anyPlatformFits(platforms, board)) reject(image, platforms, board);
}

/** After the pull (or for an image already here): the image's own platform. */
export function checkImagePlatform(inspect: ImageInspect, image: string, board: ImagePlatform): void {
  const found = platformOf(inspect.Os, inspect.Architecture, inspect.Variant);
  if (found !== null && !anyPlatformFits([found], board)) reject(image, [found], board);
}
