/**
 * Images that fit the board, against a stand-in engine on a real unix socket: what the registry's
 * manifest list says (through the engine's distribution endpoint) decides before any pull; where
 * the engine cannot tell, the pulled image's own platform does.
 */
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockerController } from '../../../../agent/runtime/docker/controller.js';
import { EngineClient } from '../../../../agent/runtime/docker/engine-client.js';
import { registryPlatforms } from '../../../../agent/runtime/docker/image-platform-check.js';
import { ImagePlatformError } from '../../../../agent/runtime/types.js';
import { boardPlatform, type ImagePlatform } from '../../../../shared/image-platform.js';
import { silentLogger } from '../../../../shared/logger.js';
import { json, standInController, standInEngine, type StandInEngine } from './stand-in-engine.js';

const IMAGE = 'registry.example:5000/team/app:1';
const ENCODED = encodeURIComponent(IMAGE);
const armBoard = boardPlatform('linux', 'aarch64');

let engine: StandInEngine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

interface EngineScript {
  /** The distribution answer: a platform list, an HTTP status, 'silent', or a body of that many bytes. */
  distribution: Array<Partial<{ os: string; architecture: string; variant: string }>> | number | 'silent' | { bytes: number };
  /** The pulled image's own platform. */
  pulled: { Os: string; Architecture: string; Variant?: string };
  /** The image is already on the board. */
  present?: boolean;
}

async function engineFor(script: EngineScript): Promise<StandInEngine> {
  let pulled = script.present ?? false;
  const handler: http.RequestListener = (req, res) => {
    const url = req.url ?? '';
    if (url === '/version') return json(res, 200, { ApiVersion: '1.41', Version: 'stand-in' });
    if (url.startsWith(`/v1.41/distribution/${ENCODED}/json`)) {
      const d = script.distribution;
      if (d === 'silent') return;
      if (typeof d === 'number') return json(res, d, { message: 'unauthorized: authentication required' });
      if ('bytes' in d) return json(res, 200, { Descriptor: {}, Platforms: [], pad: 'x'.repeat(d.bytes) });
      return json(res, 200, { Descriptor: { mediaType: 'application/vnd.oci.image.index.v1+json' }, Platforms: d });
    }
    if (url.startsWith(`/v1.41/images/${ENCODED}/json`)) return pulled ? json(res, 200, script.pulled) : json(res, 404, { message: 'no such image' });
    if (url.startsWith('/v1.41/images/create')) {
      pulled = true;
      return res.writeHead(200).end('{"status":"Downloaded newer image"}\n');
    }
    if (url.startsWith('/v1.41/containers/create')) return json(res, 201, { Id: 'c0ffee' });
    json(res, 404, { message: `stand-in engine: ${url}` });
  };
  engine = await standInEngine(handler);
  return engine;
}

function controller(socketPath: string, board: ImagePlatform): DockerController {
  return standInController(socketPath, { id: 'task1', serviceId: 's1', serviceName: 'app', image: IMAGE, stopGracePeriodMs: 1_000 }, board);
}

const pulls = (e: StandInEngine): string[] => e.paths.filter((p) => p.startsWith('POST /v1.41/images/create'));

async function rejection(c: DockerController): Promise<ImagePlatformError> {
  const err = await c.prepare().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ImagePlatformError)) throw new Error(`expected an ImagePlatformError, got ${String(err)}`);
  return err;
}

describe('the image platform check of the Docker driver', () => {
  it("rejects, without pulling, an image whose manifest list lacks the board's platform, naming the platforms it has", async () => {
    const e = await engineFor({
      distribution: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'ppc64le' },
        { os: 'unknown', architecture: 'unknown' }, // a build attestation, no platform
      ],
      pulled: { Os: 'linux', Architecture: 'amd64' },
    });
    const err = await rejection(controller(e.socketPath, armBoard));
    expect(err.message).toBe(`image ${IMAGE} is linux/amd64, linux/ppc64le; this board is linux/arm64`);
    expect(err.kind).toBe('permanent');
    expect(err.platforms).toEqual([
      { os: 'linux', arch: 'amd64' },
      { os: 'linux', arch: 'ppc64le' },
    ]);
    expect(pulls(e)).toEqual([]);
  });

  it('pulls an image whose list has the board (an armv7 board runs arm/v6), and checks the pulled image', async () => {
    const e = await engineFor({
      distribution: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm', variant: 'v6' },
      ],
      pulled: { Os: 'linux', Architecture: 'arm', Variant: 'v6' },
    });
    const c = controller(e.socketPath, boardPlatform('linux', 'armv7l'));
    await c.prepare();
    expect(c.runtimeId).toBe('c0ffee');
    expect(pulls(e)).toHaveLength(1);
  });

  it('rejects an arm/v7-only image on an armv6 board, with the variant named', async () => {
    const e = await engineFor({ distribution: [{ os: 'linux', architecture: 'arm', variant: 'v7' }], pulled: { Os: 'linux', Architecture: 'arm' } });
    const err = await rejection(controller(e.socketPath, boardPlatform('linux', 'armv6l')));
    expect(err.message).toBe(`image ${IMAGE} is linux/arm/v7, this board is linux/arm/v6`);
    expect(pulls(e)).toEqual([]);
  });

  it('falls back to the pulled image when the registry does not answer the engine (a private image)', async () => {
    const e = await engineFor({ distribution: 401, pulled: { Os: 'linux', Architecture: 'amd64' } });
    const err = await rejection(controller(e.socketPath, armBoard));
    expect(err.message).toBe(`image ${IMAGE} is linux/amd64, this board is linux/arm64`);
    expect(err.platforms).toEqual([{ os: 'linux', arch: 'amd64' }]);
    expect(pulls(e)).toHaveLength(1);
  });

  it('asks nothing of the registry for an image already on the board', async () => {
    const e = await engineFor({ distribution: [{ os: 'linux', architecture: 'amd64' }], pulled: { Os: 'linux', Architecture: 'arm64' }, present: true });
    await controller(e.socketPath, armBoard).prepare();
    expect(e.paths.filter((p) => p.includes('/distribution/'))).toEqual([]);
  });

  it('bounds the wait for the registry and the size of the answer', async () => {
    const silent = await engineFor({ distribution: 'silent', pulled: { Os: 'linux', Architecture: 'arm64' } });
    const started = Date.now();
    expect(await registryPlatforms(new EngineClient({ socketPath: silent.socketPath }), IMAGE, silentLogger(), 300)).toBeNull();
    expect(Date.now() - started).toBeLessThan(2_000);
    await silent.close();
    engine = null;
    const huge = await engineFor({ distribution: { bytes: 2 * 1024 * 1024 }, pulled: { Os: 'linux', Architecture: 'arm64' } });
    expect(await registryPlatforms(new EngineClient({ socketPath: huge.socketPath }), IMAGE, silentLogger())).toBeNull();
  });
});
