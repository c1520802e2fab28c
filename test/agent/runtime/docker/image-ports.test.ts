/**
 * An image's own EXPOSE ports (redis 6379, postgres 5432) are bound like compose `expose` ports,
 * against a stand-in engine on a real unix socket that answers the image inspect and records the
 * create body.
 */
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockerController } from '../../../../agent/runtime/docker/controller.js';
import type { CreateContainerBody } from '../../../../agent/runtime/docker/engine-types.js';
import { MAX_TASK_PORTS } from '../../../../shared/payloads/endpoints.js';
import type { TaskSpec } from '../../../../shared/payloads/tasks.js';
import { json, standInController, standInEngine, type StandInEngine } from './stand-in-engine.js';

let engine: StandInEngine | null = null;
afterEach(async () => {
  await engine?.close();
  engine = null;
});

/** An engine whose one image EXPOSEs `exposed`; resolves the create bodies it was sent. */
async function engineExposing(exposed: string[]): Promise<{ engine: StandInEngine; created: CreateContainerBody[] }> {
  const created: CreateContainerBody[] = [];
  const handler: http.RequestListener = (req, res) => {
    const url = req.url ?? '';
    if (url === '/version') return json(res, 200, { ApiVersion: '1.41', Version: 'stand-in' });
    if (url.startsWith('/v1.41/images/redis/json')) {
      return json(res, 200, { Os: 'linux', Architecture: 'amd64', Config: { ExposedPorts: Object.fromEntries(exposed.map((k) => [k, {}])) } });
    }
    if (url.startsWith('/v1.41/containers/create')) {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        created.push(JSON.parse(body) as CreateContainerBody);
        json(res, 201, { Id: 'c0ffee' });
      });
      return;
    }
    json(res, 404, { message: `stand-in engine: ${url}` });
  };
  engine = await standInEngine(handler);
  return { engine, created };
}

function controller(socketPath: string, spec: Partial<TaskSpec>): DockerController {
  return standInController(socketPath, { image: 'redis', ...spec });
}

describe("an image's EXPOSE ports", () => {
  it('are bound on host ports, except those the task already binds, TCP and UDP, and not SCTP', async () => {
    const { engine, created } = await engineExposing(['6379/tcp', '53/udp', '8080/tcp', '7000', '9/sctp']);
    const c = controller(engine.socketPath, {
      ports: [{ published: 80, target: 8080, protocol: 'tcp', mode: 'ingress', hostPort: 41000 }],
    });
    await c.prepare();
    const bound = c.imagePorts();
    expect(bound.map((p) => `${p.target}/${p.protocol}`)).toEqual(['53/udp', '6379/tcp', '7000/tcp']);
    const hostPorts = bound.map((p) => p.hostPort ?? 0);
    expect(new Set([...hostPorts, 41000]).size).toBe(4);
    for (const p of hostPorts) expect(p).toBeGreaterThan(0);
    expect(created[0]?.HostConfig.PortBindings).toEqual({
      '8080/tcp': [{ HostPort: '41000' }],
      '53/udp': [{ HostPort: String(hostPorts[0]) }],
      '6379/tcp': [{ HostPort: String(hostPorts[1]) }],
      '7000/tcp': [{ HostPort: String(hostPorts[2]) }],
    });
  });

  it(`are bound at most up to ${MAX_TASK_PORTS} ports in all, the lowest targets: an image may EXPOSE thousands`, async () => {
    const { engine, created } = await engineExposing(Array.from({ length: 3000 }, (_, i) => `${12_999 - i}/tcp`));
    const c = controller(engine.socketPath, { expose: [{ target: 5432, protocol: 'tcp', hostPort: 41001 }] });
    await c.prepare();
    expect(c.imagePorts()).toHaveLength(MAX_TASK_PORTS - 1);
    expect(c.imagePorts()[0]?.target).toBe(10_000);
    expect(Object.keys(created[0]?.HostConfig.PortBindings ?? {})).toHaveLength(MAX_TASK_PORTS);
  });

  it('bind nothing for an image that EXPOSEs nothing', async () => {
    const { engine, created } = await engineExposing([]);
    const c = controller(engine.socketPath, {});
    await c.prepare();
    expect(c.imagePorts()).toEqual([]);
    expect(created[0]?.HostConfig.PortBindings).toBeUndefined();
  });
});
