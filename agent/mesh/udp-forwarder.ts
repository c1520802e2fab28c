/**
 * One published UDP port of the mesh. Each client address gets a session towards the endpoint the
 * balancer picked, whose replies go back to the client. Sessions end after UDP_IDLE_MS without
 * traffic; at most MAX_UDP_SESSIONS live (the oldest goes).
 *
 * A session has two sockets on one local port. The sender is connected to the endpoint, so the
 * kernel hands it the ICMP error a dead endpoint answers with (port or host unreachable), which an
 * unconnected socket never sees: the endpoint is then marked failing, as a refused TCP connect is,
 * and the session moves to the next endpoint with its last datagram. The other socket is not
 * connected: a task bound to all addresses may answer from another address of its board than the
 * one asked (always so on loopback), which the connected one would drop; replies are taken from
 * the endpoint's port on either.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../shared/logger.js';
import type { Balancer, Endpoint } from './balancer.js';

export const UDP_IDLE_MS = 30_000;
export const MAX_UDP_SESSIONS = 4096;
/** Datagrams a session holds while its sockets are being set up (a burst beyond is dropped, as UDP may). */
const MAX_PENDING = 64;
/** Errors that say the endpoint is not there (from ICMP), not that one datagram was bad. */
const DEAD_ENDPOINT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);

type Client = Pick<RemoteInfo, 'address' | 'port'>;

interface Session {
  client: Client;
  sender: Socket;
  replies: Socket;
  idle: NodeJS.Timeout;
  target: Endpoint;
  /** Endpoints this client's datagrams were sent to and found dead, plus the current one. */
  tried: Set<string>;
  /** Datagrams waiting for the sender to connect; null once it has. */
  pending: Buffer[] | null;
  last: Buffer | null;
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
    const session = this.sessions.get(id) ?? this.open(id, rinfo, new Set());
    if (!session) return;
    session.idle.refresh();
    this.send(id, session, msg);
  }

  private send(id: string, session: Session, msg: Buffer): void {
    session.last = msg;
    if (session.pending) {
      if (session.pending.length < MAX_PENDING) session.pending.push(msg);
      return;
    }
    session.sender.send(msg, (err) => {
      if (err) this.lost(id, session, err);
    });
  }

  private open(id: string, client: Client, tried: Set<string>): Session | null {
    const target = this.balancer.order().find((e) => !tried.has(e.key));
    if (!target) return null;
    if (this.sessions.size >= MAX_UDP_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.end(oldest);
    }
    const type = isIPv6(target.host) ? 'udp6' : 'udp4';
    const session: Session = {
      client,
      sender: createSocket({ type, reuseAddr: true }),
      replies: createSocket({ type, reuseAddr: true }),
      idle: setTimeout(() => this.end(id), UDP_IDLE_MS),
      target,
      tried: new Set([...tried, target.key]),
      pending: [],
      last: null,
    };
    session.idle.unref();
    // A session ended meanwhile has closed its sockets: its callbacks and late replies do nothing.
    const live = (): boolean => this.sessions.get(id) === session;
    const reply = (msg: Buffer, from: RemoteInfo): void => {
      if (from.port !== target.port || !live()) return;
      session.idle.refresh();
      this.balancer.succeeded(target.key);
      this.socket?.send(msg, client.port, client.address);
    };
    session.replies.on('message', reply);
    session.sender.on('message', reply);
    session.replies.on('error', () => this.end(id, session));
    session.sender.on('error', (err) => this.lost(id, session, err));
    session.replies.bind(0, () => {
      if (!live()) return;
      session.sender.bind(session.replies.address().port, () => {
        if (!live()) return;
        session.sender.connect(target.port, target.host, () => {
          if (!live()) return;
          const pending = session.pending ?? [];
          session.pending = null;
          for (const msg of pending) this.send(id, session, msg);
        });
      });
    });
    this.sessions.set(id, session);
    return session;
  }

  /** The sender failed: a dead endpoint moves the client to the next one (its last datagram too); anything else ends the session. */
  private lost(id: string, session: Session, err: NodeJS.ErrnoException): void {
    if (this.sessions.get(id) !== session) return;
    const last = session.last;
    this.end(id, session);
    if (!DEAD_ENDPOINT.has(err.code ?? '')) return;
    this.balancer.failed(session.target.key);
    const next = this.open(id, session.client, session.tried);
    if (next && last) this.send(id, next, last);
  }

  private end(id: string, only?: Session): void {
    const s = this.sessions.get(id);
    if (!s || (only && s !== only)) return;
    this.sessions.delete(id);
    clearTimeout(s.idle);
    for (const socket of [s.sender, s.replies]) {
      try {
        socket.close();
      } catch {
        // closed already
      }
    }
  }
}
