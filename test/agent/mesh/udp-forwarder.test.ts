/**
 * The mesh's UDP forwarding over real sockets on loopback: a dead endpoint (nothing listens, the
 * kernel answers with ICMP port unreachable) is skipped as TCP skips a refused one, and a client
 * whose endpoint dies moves to a live one. The endpoints are asked on 127.0.0.2 and answer from
 * 127.0.0.1, as a task bound to all addresses does.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Balancer, type Endpoint } from '../../../agent/mesh/balancer.js';
import { UdpForwarder } from '../../../agent/mesh/udp-forwarder.js';
import { silentLogger } from '../../../shared/logger.js';

const closers: Array<() => void> = [];

afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function bound(port = 0): Promise<Socket> {
  const socket = createSocket('udp4');
  closers.push(() => {
    try {
      socket.close();
    } catch {
      // closed by the test
    }
  });
  return new Promise((resolve) => socket.bind(port, '0.0.0.0', () => resolve(socket)));
}

/** An endpoint that answers `name:message`. */
async function echo(name: string): Promise<{ socket: Socket; endpoint: Endpoint }> {
  const socket = await bound();
  socket.on('message', (m, from) => socket.send(`${name}:${m.toString()}`, from.port, from.address));
  return { socket, endpoint: { key: name, host: '127.0.0.2', port: socket.address().port, heat: 'normal', power: 'stable' } };
}

/** A port nothing listens on. */
async function deadEndpoint(): Promise<Endpoint> {
  const socket = await bound();
  const port = socket.address().port;
  socket.close();
  return { key: 'dead', host: '127.0.0.2', port, heat: 'normal', power: 'stable' };
}

async function forwarder(endpoints: Endpoint[]): Promise<number> {
  const balancer = new Balancer();
  balancer.setEndpoints(endpoints);
  const fwd = new UdpForwarder(balancer, silentLogger());
  closers.push(() => fwd.close());
  // Any free port: ask the kernel for one, then let the forwarder take it.
  const probe = await bound();
  const port = probe.address().port;
  probe.close();
  await fwd.listen('127.0.0.1', port);
  return port;
}

function ask(client: Socket, port: number, message: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${message}`)), timeoutMs);
    client.once('message', (m) => {
      clearTimeout(timer);
      resolve(m.toString());
    });
    client.send(message, port, '127.0.0.1');
  });
}

describe('UdpForwarder', () => {
  it('skips a dead endpoint: every new client is answered, within one second in all', async () => {
    const live = await echo('live');
    const port = await forwarder([await deadEndpoint(), live.endpoint]);
    const started = Date.now();
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) answers.push(await ask(await bound(), port, `q${i}`).catch((err: Error) => err.message));
    expect(answers).toEqual(Array.from({ length: 10 }, (_, i) => `live:q${i}`));
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('moves a client whose endpoint dies to a live one, with the datagram it lost', async () => {
    const a = await echo('a');
    const b = await echo('b');
    const port = await forwarder([a.endpoint, b.endpoint]);
    const client = await bound();
    const first = await ask(client, port, 'one');
    const [gone, other] = first.startsWith('a:') ? [a, 'b'] : [b, 'a'];
    gone.socket.close();
    expect(await ask(client, port, 'two')).toBe(`${other}:two`);
    expect(await ask(client, port, 'three')).toBe(`${other}:three`);
  });
});
