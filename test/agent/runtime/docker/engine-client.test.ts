import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions, EngineClient, EngineError } from '../../../../agent/runtime/docker/engine-client.js';
import { DOCKER_SOCKET, hasDocker } from '../../../helpers/requirements.js';
import { json, standInEngine } from './stand-in-engine.js';

describe('EngineClient against a stand-in engine', () => {
  let engine: Awaited<ReturnType<typeof standInEngine>> | null = null;
  afterEach(async () => {
    await engine?.close();
    engine = null;
  });

  it('speaks an older engine its own API version, and caps a newer one at v1.41', async () => {
    for (const [engineVersion, used] of [
      ['1.39', '/v1.39/'],
      ['1.47', '/v1.41/'],
    ] as const) {
      engine = await standInEngine((req, res) =>
        req.url === '/version' ? json(res, 200, { ApiVersion: engineVersion, Version: 'x' }) : json(res, 200, []),
      );
      const client = new EngineClient({ socketPath: engine.socketPath });
      await client.request('GET', '/containers/json');
      await client.request('GET', '/containers/json');
      expect(engine.paths).toEqual(['GET /version', `GET ${used}containers/json`, `GET ${used}containers/json`]);
      await engine.close();
      engine = null;
    }
  });

  it('classes a 5xx as temporary and a 4xx as permanent, with the engine message', async () => {
    engine = await standInEngine((req, res) => {
      if (req.url === '/version') return json(res, 200, { ApiVersion: '1.41' });
      if (req.url?.includes('busy')) return json(res, 503, { message: 'daemon is restarting' });
      return json(res, 400, { message: 'invalid CpuQuota' });
    });
    const client = new EngineClient({ socketPath: engine.socketPath });
    await expect(client.request('GET', '/busy')).rejects.toMatchObject({ kind: 'temporary', status: 503, detail: 'daemon is restarting' });
    const err = await client.request('POST', '/containers/x/update').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ kind: 'permanent', status: 400, message: 'docker POST /containers/x/update failed (400): invalid CpuQuota' });
  });

  it('gives up on a silent engine after the request timeout, as a temporary error', async () => {
    engine = await standInEngine(() => {
      // never answers
    });
    const client = new EngineClient({ socketPath: engine.socketPath, requestTimeoutMs: 200 });
    const started = Date.now();
    await expect(client.request('GET', '/containers/json')).rejects.toMatchObject({ kind: 'temporary', status: null });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await client.ping(200)).toBe(false);
  });

  it('lets a stream run past the request timeout once the engine has answered (log follow)', async () => {
    engine = await standInEngine((req, res) => {
      if (req.url === '/version') return json(res, 200, { ApiVersion: '1.41' });
      res.writeHead(200);
      let n = 0;
      const timer = setInterval(() => {
        res.write(`tick${++n}\n`);
        if (n === 4) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
    });
    const client = new EngineClient({ socketPath: engine.socketPath, requestTimeoutMs: 150 });
    const res = await client.stream('GET', '/containers/x/logs');
    const chunks: string[] = [];
    for await (const chunk of res) chunks.push(String(chunk));
    expect(chunks.join('')).toBe('tick1\ntick2\ntick3\ntick4\n');
  });

  it('answers ping only for an OK from /_ping', async () => {
    engine = await standInEngine((_req, res) => res.writeHead(500).end('no'));
    expect(await new EngineClient({ socketPath: engine.socketPath }).ping(1_000)).toBe(false);
  });

  it('reports a missing socket as an unreachable engine (temporary), naming the socket', async () => {
    const client = new EngineClient({ socketPath: '/nonexistent/docker.sock' });
    await expect(client.request('GET', '/containers/json')).rejects.toMatchObject({
      kind: 'temporary',
      message: expect.stringContaining('docker engine unreachable at /nonexistent/docker.sock'),
    });
    expect(await client.ping(500)).toBe(false);
  });
});

describe.skipIf(!hasDocker)('EngineClient against the real engine', () => {
  let client: EngineClient;
  beforeAll(() => {
    client = new EngineClient({ socketPath: DOCKER_SOCKET });
  });

  it('negotiates a version no newer than v1.41 and pings', async () => {
    expect(compareVersions(await client.version(), '1.41')).toBeLessThanOrEqual(0);
    expect(await client.ping(2_000)).toBe(true);
  });

  it('maps an unknown container to a permanent 404', async () => {
    await expect(client.request('GET', '/containers/kelvin-no-such-container/json')).rejects.toMatchObject({
      kind: 'permanent',
      status: 404,
    });
  });
});

describe('compareVersions', () => {
  it('compares numerically, not as text', () => {
    expect(compareVersions('1.9', '1.41')).toBeLessThan(0);
    expect(compareVersions('1.41', '1.41')).toBe(0);
    expect(compareVersions('2.0', '1.41')).toBeGreaterThan(0);
  });
});
