/**
 * One published TCP port of the mesh: accepts on the board's advertise address and pipes each
 * connection to the endpoint the balancer picks. A connect that is refused or takes longer than
 * CONNECT_TIMEOUT_MS moves on to the next endpoint (and marks the failed one), so a dead board
 * costs a new connection at most that long, once.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../shared/logger.js';
import type { Balancer, Endpoint } from './balancer.js';

export const CONNECT_TIMEOUT_MS = 800;

export class TcpForwarder {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly balancer: Balancer,
    private readonly log: Logger,
  ) {
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (client) => this.accept(client));
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port }, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.log.warn({ err: err.message }, 'mesh listener error'));
        resolve();
      });
    });
  }

  close(): void {
    this.server.close();
    for (const s of this.sockets) s.destroy();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(client: Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    this.tryNext(client, this.balancer.order(), 0);
  }

  private tryNext(client: Socket, order: Endpoint[], index: number): void {
    const target = order[index];
    if (client.destroyed) return;
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    let settled = false;
    const fail = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      upstream.destroy();
      this.balancer.failed(target.key);
      this.tryNext(client, order, index + 1);
    };
    const timer = setTimeout(fail, CONNECT_TIMEOUT_MS);
    upstream.once('error', fail);
    upstream.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      upstream.off('error', fail);
      this.balancer.succeeded(target.key);
      this.splice(client, upstream);
    });
  }

  private splice(client: Socket, upstream: Socket): void {
    this.track(upstream);
    upstream.on('error', () => upstream.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }
}
