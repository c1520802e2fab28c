import { createServer, connect, type Server } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LoopbackVips } from '../../../agent/mesh/loopback-vips.js';
import { Mesh } from '../../../agent/mesh/mesh.js';
import { assignHostPorts, boundPorts, dockerPorts, portEnv } from '../../../agent/mesh/task-ports.js';
import { applyContainerExtras } from '../../../agent/runtime/docker/container-extras.js';
import type { CreateContainerBody } from '../../../agent/runtime/docker/engine-types.js';
import { defaultContainerOptions } from '../../../shared/container-options.js';
import type { EndpointList } from '../../../shared/payloads/endpoints.js';
import type { Logger } from '../../../shared/logger.js';
import { taskSpec } from '../../helpers/task-spec.js';

const hosts = [
  { name: 'api', vip: '10.213.0.2' },
  { name: 'shop_api', vip: '10.213.0.2' },
];

function logs(): { logger: Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  return { logger: pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) }), lines };
}

/** What a TCP server at host:port says before it closes, or the error. */
function answer(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    let body = '';
    s.on('data', (d: Buffer) => (body += d.toString()));
    s.on('close', () => resolve(body));
    s.on('error', (e) => resolve(`error: ${e.message}`));
  });
}

/** A server on 127.0.0.1 answering `text`, closed after the test; its port. */
async function serve(text: string): Promise<number> {
  const server: Server = createServer((s) => s.end(text));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(r)));
  return (server.address() as { port: number }).port;
}

let closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers) await c();
  closers = [];
});

describe('expose ports', () => {
  it('get a host port like published ones: PORT for a process task, a binding for a container', async () => {
    const spec = await assignHostPorts(taskSpec({ expose: [{ target: 8080, protocol: 'tcp' }] }));
    const [bound] = boundPorts(spec);
    expect(bound?.target).toBe(8080);
    expect(portEnv(spec)).toEqual({ PORT: String(bound?.hostPort), KELVIN_PORT_8080: String(bound?.hostPort) });
    expect(dockerPorts(spec).PortBindings).toEqual({ '8080/tcp': [{ HostPort: String(bound?.hostPort) }] });
  });
});

describe('names in a task', () => {
  it("a process task gets KELVIN_HOST_<NAME>: the virtual address's loopback twin", async () => {
    const mesh = new Mesh({ logger: logs().logger });
    const spec = await mesh.prepare(taskSpec({ hosts }));
    expect(spec.env).toMatchObject({ KELVIN_HOST_API: '127.213.0.2', KELVIN_HOST_SHOP_API: '127.213.0.2' });
  });

  it("a container gets them in /etc/hosts, after the user's own extra_hosts", () => {
    const body = { HostConfig: {} } as CreateContainerBody;
    applyContainerExtras(body, taskSpec({ driver: 'docker', hosts, container: { ...defaultContainerOptions(), extraHosts: ['api:192.0.2.1'] } }));
    expect(body.HostConfig.ExtraHosts).toEqual(['api:192.0.2.1', 'api:10.213.0.2', 'shop_api:10.213.0.2']);
  });
});

describe('virtual addresses on lo', () => {
  it('adds the wanted ones, uses one already there without ever removing it, and removes its own when they leave and at close', async () => {
    const calls: string[] = [];
    let changes = 0;
    const vips = new LoopbackVips({
      logger: logs().logger,
      onChange: () => changes++,
      run: async (args) => {
        calls.push(`${args[1]} ${args[2]}`);
        if (args[1] === 'add' && args[2] === '10.213.0.3/32') throw new Error('RTNETLINK answers: File exists');
      },
    });
    vips.want(new Set(['10.213.0.2', '10.213.0.3']));
    await expect.poll(() => vips.has('10.213.0.2') && vips.has('10.213.0.3')).toBe(true);
    vips.want(new Set(['10.213.0.2']));
    await expect.poll(() => vips.has('10.213.0.3')).toBe(false);
    await vips.close();
    expect(calls).toEqual(['add 10.213.0.2/32', 'add 10.213.0.3/32', 'del 10.213.0.2/32']);
    expect(changes).toBeGreaterThan(0);
  });

  it('without CAP_NET_ADMIN: says so once, tries no more, and the mesh still serves process tasks on the loopback twin', async () => {
    const { logger, lines } = logs();
    let adds = 0;
    const ip = (): Promise<void> => {
      adds++;
      return Promise.reject(new Error('RTNETLINK answers: Operation not permitted'));
    };
    const mesh = new Mesh({ logger, ip });
    closers.push(() => mesh.close());
    const hostPort = await serve('api answers');
    const list = (generation: number): EndpointList => ({
      v: 1,
      incarnation: 'i',
      generation,
      nodes: [{ id: 'pi-b', heat: 'normal', power: 'stable' }],
      services: [
        {
          id: 's', name: 'shop_api', stack: 'shop', ports: [], vip: '10.213.0.2', expose: [{ target: 8080, protocol: 'tcp' }],
          endpoints: [{ taskId: 't', nodeId: 'pi-b', addr: '127.0.0.1', ports: [{ target: 8080, protocol: 'tcp', hostPort }] }],
        },
      ],
    });
    mesh.setAddress('127.0.0.1');
    mesh.apply(list(1));
    await expect.poll(() => answer('127.213.0.2', 8080)).toBe('api answers');
    mesh.apply(list(2));
    await new Promise((r) => setTimeout(r, 50));
    expect(adds).toBe(1);
    expect(lines.filter((l) => l.msg.startsWith("cannot put services' virtual addresses on lo"))).toHaveLength(1);
  });
});

describe("a service's reported targets", () => {
  it("listens by name on the targets its tasks reported bound (an image's EXPOSE), though the service declares none", async () => {
    const mesh = new Mesh({ logger: logs().logger, ip: () => Promise.reject(new Error('RTNETLINK answers: Operation not permitted')) });
    closers.push(() => mesh.close());
    const redis = await serve('redis answers');
    const db = await serve('db answers');
    mesh.setAddress('127.0.0.1');
    mesh.apply({
      v: 1,
      incarnation: 'i',
      generation: 1,
      nodes: [{ id: 'pi-b', heat: 'normal', power: 'stable' }],
      services: [
        {
          id: 's', name: 'vote_redis', stack: 'vote', ports: [], vip: '10.213.0.4',
          endpoints: [
            { taskId: 't1', nodeId: 'pi-b', addr: '127.0.0.1', ports: [{ target: 6379, protocol: 'tcp', hostPort: redis }] },
            { taskId: 't2', nodeId: 'pi-b', addr: '127.0.0.1', ports: [{ target: 6380, protocol: 'tcp', hostPort: db }] },
          ],
        },
      ],
    });
    await expect.poll(() => answer('127.213.0.4', 6379)).toBe('redis answers');
    expect(await answer('127.213.0.4', 6380)).toBe('db answers');
  });
});
