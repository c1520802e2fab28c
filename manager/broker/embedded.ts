/**
 * The manager's embedded MQTT broker: aedes on a node:net server, with Kelvin's authentication
 * (authenticate.ts) and topic rules (acl.ts). Identity is bound to the connection at CONNECT: a
 * node connects only with its own client id, and a second connection for a node is refused while
 * the first is alive (aedes would otherwise close the first). A publish outside the client's own
 * topics, a retained one where none belongs, or one over the node's publish rate is refused and the
 * connection closed (aedes' rule for an unauthorised publish); a refused subscription is answered
 * with SUBACK 128; a packet over the size limit closes the connection before it is buffered.
 */
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../../shared/logger.js';
import type { Change } from '../store/records.js';
import type { Store } from '../store/store.js';
import { publishRefusal, subscribeRefusal, type BrokerIdentity } from './acl.js';
import { authenticateClient, type AuthResult } from './authenticate.js';
import { limitPacketSize, MAX_MANAGER_PACKET_BYTES, MAX_NODE_PACKET_BYTES } from './packet-limit.js';
import type { PendingJoins } from './pending-joins.js';
import { KeyedRateLimiter, LogOncePer, TokenBucket, type RateLimit } from './rate-limit.js';
import { SessionLiveness } from './session-liveness.js';
import { listen } from '../listen.js';

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  store: Store;
  /** Password of the manager's own client (MANAGER_MQTT_USERNAME), random per start. */
  managerSecret: string;
  /** Joined but unreported nodes; Inventory registers them from here on their first report. */
  pending: PendingJoins;
  logger: Logger;
  /** Join attempts (ids neither registered nor joining) per source address. */
  joinRate?: RateLimit;
  /** Publishes per node; past it the node's connection is cut. The bucket outlives the connection, so reconnecting does not refill it. */
  publishRate?: RateLimit;
  /** A joining node that has not reported by then is disconnected and its id released. */
  joinReportTimeoutMs?: number;
  now?: () => number;
  /** Server certificate chain and key (PEM): the broker speaks mqtts://. Null: plain mqtt:// (`--insecure-mqtt`). */
  tls: { cert: string; key: string } | null;
}

export interface EmbeddedBroker {
  readonly port: number;
  /** URL the manager's own client connects to. */
  readonly url: string;
  /** Serves a renewed certificate to new connections (mqtts only). */
  setTls(tls: { cert: string; key: string }): void;
  /** Closes the broker: every client is disconnected. */
  close(): Promise<void>;
}

/** How long a revoked node keeps its connection to read that it was removed. */
const REVOKED_CLOSE_DELAY_MS = 5000;
/** A fleet bootstrapping behind one NAT joins at a few boards a second; a token guesser does not get further. */
export const DEFAULT_JOIN_RATE: RateLimit = { perSecond: 5, burst: 50 };
/**
 * An agent sends ~1 telemetry a second plus statuses, facts and log chunks (5 a second per followed
 * stream); on reconnect it re-reports every task at once, so the burst is generous.
 */
export const DEFAULT_PUBLISH_RATE: RateLimit = { perSecond: 100, burst: 500 };
export const DEFAULT_JOIN_REPORT_TIMEOUT_MS = 60_000;
const LOG_EVERY_MS = 60_000;

const CONNACK_CODE = { identifier: 2, credentials: 4, busy: 5 } as const;

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { store, logger, pending } = options;
  const now = options.now ?? Date.now;
  const identities = new WeakMap<Client, BrokerIdentity>();
  const nodeClients = new Map<string, Client>();
  const sessions = new SessionLiveness(now);
  const joinLimiter = new KeyedRateLimiter(options.joinRate ?? DEFAULT_JOIN_RATE, now);
  // Keyed by node id (registered or joining: authentication bounds the keys), not by connection.
  const publishBuckets = new Map<string, TokenBucket>();
  const joinTimers = new Set<NodeJS.Timeout>();
  const logDue = new LogOncePer(LOG_EVERY_MS, now);
  const joinReportTimeout = options.joinReportTimeoutMs ?? DEFAULT_JOIN_REPORT_TIMEOUT_MS;
  const refusalsLogged = new Set<string>();

  const logRefusalOnce = (who: BrokerIdentity, what: string, reason: string): void => {
    const key = `${who.kind === 'node' ? who.nodeId : 'manager'}|${what}`;
    if (refusalsLogged.has(key)) return;
    refusalsLogged.add(key);
    logger.warn({ node: who.kind === 'node' ? who.nodeId : null }, `mqtt ${what} refused: ${reason}`);
  };
  const refuseConnect = (done: (err: AuthenticateError, ok: false) => void, code: keyof typeof CONNACK_CODE, reason: string): void => {
    done(Object.assign(new Error(reason), { returnCode: CONNACK_CODE[code] }) as AuthenticateError, false);
  };

  // A removed node loses its session at once, not at its next reconnect. A revoked one keeps it a
  // few seconds, to read the retained set that tells it it was removed (it then leaves by itself).
  const closing = new Set<NodeJS.Timeout>();
  const dropRemoved = (client: Client, nodeId: string): void => {
    if (store.revocationOf(nodeId) === null) return client.close();
    const timer = setTimeout(() => {
      closing.delete(timer);
      client.close();
    }, REVOKED_CLOSE_DELAY_MS);
    closing.add(timer);
  };

  /** A joining node that never reports gives its id (and its place among the pending) back. */
  const expireJoin = (nodeId: string): void => {
    const timer = setTimeout(() => {
      joinTimers.delete(timer);
      if (store.getNode(nodeId)) return;
      pending.drop(nodeId);
      publishBuckets.delete(nodeId);
      const client = nodeClients.get(nodeId);
      if (client) {
        logger.warn({ node: nodeId }, `node ${nodeId} joined but did not report within ${Math.round(joinReportTimeout / 1000)}s; disconnecting it`);
        client.close();
      }
    }, joinReportTimeout);
    timer.unref();
    joinTimers.add(timer);
  };
  const aedes = await Aedes.createBroker({
    heartbeatInterval: 60_000,
    preConnect(client, packet, done) {
      sessions.connecting(client, packet.keepalive ?? 0);
      done(null, true);
    },
    authenticate(client, username, password, done) {
      const source = sourceOf(client);
      let result: AuthResult;
      try {
        result = authenticateClient(
          {
            store,
            managerSecret: options.managerSecret,
            pending,
            joinRefusal: () => (joinLimiter.take(source) ? null : `too many join attempts from ${source}; try again in a few seconds`),
          },
          { clientId: client.id, username, password: password?.toString('utf8') },
        );
      } catch (err) {
        logger.error({ err }, 'mqtt authentication failed');
        result = { ok: false, reason: 'internal error', refused: 'credentials', kind: 'internal' };
      }
      if (!result.ok) {
        if (logDue.due(`${source}|${result.kind}`)) {
          logger.warn({ client: client.id, source }, `mqtt connection refused: ${result.reason} (logged at most once a minute per source and rule)`);
        }
        return refuseConnect(done, result.refused, result.reason);
      }
      const who = result.identity;
      if (who.kind === 'node') {
        // Never kick a live session: only a holder of the node's own secret (checked above) may
        // replace one, and only after it missed its keepalive (a half-open TCP connection).
        const existing = nodeClients.get(who.nodeId);
        if (existing && existing !== client && sessions.alive(existing)) {
          const reason = `node ${who.nodeId} is already connected from ${sourceOf(existing)} and alive; a second connection is refused`;
          if (logDue.due(`busy|${who.nodeId}`)) logger.warn({ node: who.nodeId, source }, `mqtt connection refused: ${reason} (logged at most once a minute per node)`);
          return refuseConnect(done, 'busy', reason);
        }
        nodeClients.set(who.nodeId, client);
        if (!publishBuckets.has(who.nodeId)) publishBuckets.set(who.nodeId, new TokenBucket(options.publishRate ?? DEFAULT_PUBLISH_RATE, now));
        if (result.joining) {
          logger.info({ node: who.nodeId, source }, 'node connected with the join token; it joins when it first reports');
          expireJoin(who.nodeId);
        }
      }
      identities.set(client, who);
      sessions.heard(client);
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const who = client ? identities.get(client) : undefined;
      if (!client || !who) return done(new Error('unauthenticated publish'));
      // A closed client's publish is its will, sent by the broker once: never rate limited.
      if (!client.closed && who.kind === 'node' && !(publishBuckets.get(who.nodeId)?.take() ?? true)) {
        const limit = options.publishRate ?? DEFAULT_PUBLISH_RATE;
        if (logDue.due(`flood|${who.nodeId}`)) {
          logger.warn(
            { node: who.nodeId, source: sourceOf(client) },
            `node ${who.nodeId} published more than ${limit.perSecond}/s (burst ${limit.burst}); connection cut (logged at most once a minute per node)`,
          );
        }
        return done(new Error('publish rate limit exceeded'));
      }
      const refusal = publishRefusal(who, packet.topic, packet.retain);
      if (refusal) {
        logRefusalOnce(who, `publish ${packet.topic}${packet.retain ? ' (retained)' : ''}`, refusal);
        return done(new Error(refusal));
      }
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const who = identities.get(client);
      const refusal = who ? subscribeRefusal(who, sub.topic) : 'unauthenticated subscribe';
      if (refusal) {
        if (who) logRefusalOnce(who, `subscribe ${sub.topic}`, refusal);
        return done(null, null);
      }
      done(null, sub);
    },
  });

  // Every connection refuses oversized packets from its first byte; the limit grows only for the manager.
  const handle = aedes.handle;
  aedes.handle = (conn, req) => {
    const client = handle(conn, req);
    limitPacketSize(
      client,
      () => (identities.get(client)?.kind === 'manager' ? MAX_MANAGER_PACKET_BYTES : MAX_NODE_PACKET_BYTES),
      (cmd, bytes, limit) => {
        const who = identities.get(client);
        const name = who?.kind === 'node' ? `node ${who.nodeId}` : who ? 'the manager' : `an unauthenticated client from ${sourceOf(client)}`;
        if (logDue.due(`size|${who?.kind === 'node' ? who.nodeId : sourceOf(client)}`)) {
          logger.warn({ source: sourceOf(client) }, `mqtt ${cmd} of ${bytes} bytes from ${name} exceeds the ${limit}-byte limit; connection closed`);
        }
      },
    );
    return client;
  };

  aedes.on('ping', (_packet, client) => sessions.heard(client));
  aedes.on('publish', (_packet, client) => {
    if (client) sessions.heard(client);
  });
  // A node removed while its CONNECT was in flight must not keep the session.
  aedes.on('clientReady', (client) => {
    const who = identities.get(client);
    if (who?.kind === 'node' && !store.getNode(who.nodeId) && !pending.get(who.nodeId)) dropRemoved(client, who.nodeId);
  });
  aedes.on('clientDisconnect', (client) => {
    const who = identities.get(client);
    if (who?.kind === 'node' && nodeClients.get(who.nodeId) === client) nodeClients.delete(who.nodeId);
  });
  aedes.on('clientError', (client, err) => logger.debug({ client: client.id, err: err.message }, 'mqtt client error'));

  const onChange = (changes: Change[]): void => {
    for (const c of changes) {
      if (c.kind !== 'node' || c.op !== 'delete') continue;
      publishBuckets.delete(c.id);
      const client = nodeClients.get(c.id);
      if (client) dropRemoved(client, c.id);
    }
  };
  store.on('change', onChange);

  // A client that opens a socket and never finishes the handshake is dropped after 10 s, not 120.
  const tlsServer = options.tls ? createTlsServer({ ...options.tls, handshakeTimeout: 10_000, minVersion: 'TLSv1.2' }, (socket) => aedes.handle(socket)) : null;
  const server: Server = tlsServer ?? createServer((socket) => aedes.handle(socket));
  if (options.tls) server.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'mqtts handshake failed'));
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  const connectHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const scheme = options.tls ? 'mqtts' : 'mqtt';
  logger.info({ host: options.host, port, tls: options.tls !== null }, 'embedded MQTT broker listening');

  return {
    port,
    url: `${scheme}://${connectHost.includes(':') ? `[${connectHost}]` : connectHost}:${port}`,
    setTls(tls) {
      tlsServer?.setSecureContext({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' });
    },
    async close() {
      store.off('change', onChange);
      for (const timer of closing) clearTimeout(timer);
      for (const timer of joinTimers) clearTimeout(timer);
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The peer address of a connection (TCP or TLS socket). */
function sourceOf(client: Client): string {
  return (client.conn as Partial<Socket>).remoteAddress ?? 'unknown';
}
