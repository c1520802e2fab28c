/**
 * Makes sure a task's image is on the node: look locally, else pull once within a deadline,
 * else fail the task permanently with `image not found: NAME` rather than hang on a board with
 * no registry in reach.
 */
import type { Logger } from '../../../shared/logger.js';
import { RuntimeError } from '../types.js';
import { EngineError, isNotFound, readBody, type EngineClient } from './engine-client.js';

/** `beforePull` runs only when the image must be pulled, and may refuse the pull by throwing. */
export async function ensureImage(client: EngineClient, image: string, pullIdleTimeoutMs: number, logger: Logger, beforePull?: () => Promise<void>): Promise<void> {
  if (await imagePresent(client, image)) return;
  await beforePull?.();
  logger.info({ image }, 'image not present locally; pulling');
  const failure = await pull(client, image, pullIdleTimeoutMs);
  if (failure === null && (await imagePresent(client, image))) return;
  throw new RuntimeError(`image not found: ${image} (pull failed: ${failure ?? 'image still missing after pull'})`, 'permanent');
}

async function imagePresent(client: EngineClient, image: string): Promise<boolean> {
  try {
    await client.request('GET', `/images/${encodeURIComponent(image)}/json`);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** `repo[:tag]` or `repo@digest` -> the pull endpoint's query. */
export function pullQuery(image: string): { fromImage: string; tag?: string } {
  if (image.includes('@')) return { fromImage: image };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/')) return { fromImage: image.slice(0, colon), tag: image.slice(colon + 1) };
  return { fromImage: image, tag: 'latest' };
}

/**
 * Pulls `image`; resolves null on success or the reason it failed. The engine reports most pull
 * failures inside a 200 progress stream as `{"error": ...}` lines, so the whole stream is read.
 * The deadline is on silence, not on the whole pull: a big image on a slow link that keeps making
 * progress is not cut off. An unreachable engine is not a missing image: that error is thrown as
 * it is (temporary).
 */
async function pull(client: EngineClient, image: string, idleTimeoutMs: number): Promise<string | null> {
  const deadline = new AbortController();
  let timer = setTimeout(() => deadline.abort(), idleTimeoutMs);
  const progressed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => deadline.abort(), idleTimeoutMs);
  };
  try {
    const res = await client.stream('POST', '/images/create', { query: pullQuery(image), timeoutMs: null, signal: deadline.signal });
    res.on('data', progressed);
    return progressError(await readBody(res));
  } catch (err) {
    if (deadline.signal.aborted) return `no progress for ${idleTimeoutMs} ms`;
    if (err instanceof EngineError && err.status !== null) return err.detail;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** The first `{"error": ...}` in a pull's JSON-lines progress stream, or null. */
function progressError(progress: string): string | null {
  for (const line of progress.split('\n')) {
    try {
      const message = JSON.parse(line) as { error?: unknown };
      if (typeof message.error === 'string') return message.error;
    } catch {
      // blank or partial progress line: nothing to learn from it
    }
  }
  return null;
}
