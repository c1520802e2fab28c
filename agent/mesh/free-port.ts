/** Finding a host port for a task: one the kernel hands out that is free for both TCP and UDP. */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { RuntimeError } from '../runtime/types.js';

const FREE_PORT_TRIES = 20;

/** A port nothing on this board listens on now (TCP and UDP both free), from the kernel's ephemeral range. */
export async function freePort(protocol: 'tcp' | 'udp', taken: Set<number>): Promise<number> {
  for (let i = 0; i < FREE_PORT_TRIES; i++) {
    const port = protocol === 'tcp' ? await bindTcp(0) : await bindUdp(0);
    if (port === null || taken.has(port)) continue;
    const other = protocol === 'tcp' ? await bindUdp(port) : await bindTcp(port);
    if (other !== null) return port;
  }
  throw new RuntimeError(`no free host port for a published port after ${FREE_PORT_TRIES} tries`, 'temporary');
}

function bindTcp(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : null;
      server.close(() => resolve(got));
    });
  });
}

function bindUdp(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(null);
    });
    socket.bind({ port, address: '0.0.0.0', exclusive: true }, () => {
      const got = socket.address().port;
      socket.close(() => resolve(got));
    });
  });
}
