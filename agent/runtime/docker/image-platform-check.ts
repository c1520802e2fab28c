/**
 * After the pull: is the image built for this board? A mismatch is permanent (pulling again will
 * not change the image's architecture); the message is the one the manager reads back to stop
 * offering the image to boards like this one.
 */
import { platformFits, platformMismatch, type ImagePlatform } from '../../../shared/image-platform.js';
import { RuntimeError } from '../types.js';
import type { EngineClient } from './engine-client.js';

interface ImageInspect {
  Os?: string;
  Architecture?: string;
}

export async function checkImagePlatform(client: EngineClient, image: string, board: ImagePlatform): Promise<void> {
  const { body } = await client.request<ImageInspect>('GET', `/images/${encodeURIComponent(image)}/json`);
  const found: ImagePlatform = { os: body.Os ?? '', arch: body.Architecture ?? '' };
  if (!platformFits(found, board)) throw new RuntimeError(platformMismatch(image, found, board), 'permanent');
}
