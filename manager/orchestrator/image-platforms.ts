/**
 * What the cluster has learned about images' platforms: a board that rejected a task because its
 * image is built for another architecture said which one (shared/image-platform.ts). The
 * scheduler then offers the image only to boards of that platform, the way Swarm's platform
 * filter uses an image's platforms, so one rejection is enough: no other arm64 board is tried.
 */
import { parsePlatformMismatch } from '../../shared/image-platform.js';
import type { Platform } from '../scheduler/types.js';
import type { TaskRecord } from '../store/records.js';

/** image -> the platforms it is built for, from the rejected tasks still in the store. */
export function learnedImagePlatforms(tasks: Iterable<TaskRecord>): Map<string, Platform[]> {
  const out = new Map<string, Platform[]>();
  for (const task of tasks) {
    if (task.state !== 'rejected' || task.spec.image === null) continue;
    const mismatch = parsePlatformMismatch(task.error);
    // Only about the task's own image: an error text cannot speak for other images.
    if (mismatch === null || mismatch.image !== task.spec.image) continue;
    const known = out.get(mismatch.image) ?? [];
    if (!known.some((p) => p.os === mismatch.platform.os && p.arch === mismatch.platform.arch)) known.push(mismatch.platform);
    out.set(mismatch.image, known);
  }
  return out;
}
