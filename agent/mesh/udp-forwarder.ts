/**
 * One published UDP port of the mesh. Each client address gets a session: its own upstream
 * socket, connected to the endpoint the balancer picked, whose replies go back to the client.
 * Sessions end after UDP_IDLE_MS without traffic; at most MAX_UDP_SESSIONS live (the oldest goes).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../shared/logger.js';
import type { Balancer } from './balancer.js';

export const UDP_IDLE_MS = 30_000;
export const MAX_UDP_SESSIONS = 4096;

interface Session {
  upstream: Socket;
  idle: NodeJS.Timeout;
  target: { host: string; port: number };
}

export class UdpForwarder {
  private socket: Socket | null = null;
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly balancer: Balancer,
    private readonly log: Logger,
  ) {}

  listen(host: string, port: number): Promise<void> {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    this.socket = socket;
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: host, port }, () => {
        socket.off('error', reject);
        socket.on('error', (err) => this.log.warn({ err: err.message }, 'mesh UDP listener error'));
        socket.on('message', (msg, rinfo) => this.forward(msg, rinfo));
        resolve();
      });
    });
  }

  close(): void {
    for (const id of [...this.sessions.keys()]) this.end(id);
    this.socket?.close();
    this.socket = null;
  }

  private forward(msg: Buffer, rinfo: RemoteInfo): void {
    const id = `${rinfo.address}|${rinfo.port}`;
    const session = this.sessions.get(id) ?? this.open(id, rinfo);
    if (!session) return;
    session.idle.refresh();
    session.upstream.send(msg, session.target.port, session.target.host);
  }

  private open(id: string, rinfo: RemoteInfo): Session | null {
    const target = this.balancer.order()[0];
    if (!target) return null;
    if (this.sessions.size >= MAX_UDP_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.end(oldest);
    }
    const upstream = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
    const session: Session = { upstream, idle: setTimeout(() => this.end(id), UDP_IDLE_MS), target: { host: target.host, port: target.port } };
    session.idle.unref();
    // Not connect()ed: a task bound to all addresses may answer from another address of its board
    // than the one asked (always so on loopback), which a connected socket would drop. So replies
    // are taken from the target's port, and a dead endpoint is not noticed here (no ICMP errors).
    upstream.on('message', (reply, from) => {
      if (from.port !== target.port) return;
      session.idle.refresh();
      this.socket?.send(reply, rinfo.port, rinfo.address);
    });
    upstream.on('error', () => this.end(id));
    this.sessions.set(id, session);
    return session;
  }

  private end(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    clearTimeout(s.idle);
    try {
      s.upstream.close();
    } catch {
      // closed already
    }
  }
}
