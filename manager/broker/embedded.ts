/**
 * The manager's embedded MQTT broker: aedes on a node:net server, with Kelvin's authentication
 * (authenticate.ts) and topic rules (acl.ts). Identity is bound to the connection at CONNECT; a
 * publish outside the client's own topics is refused and the connection closed (aedes' rule for
 * an unauthorised publish), a refused subscription is answered with SUBACK 128.
 */
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../../shared/logger.js';
import type { NodeRecord } from '../store/records.js';
import type { Change } from '../store/records.js';
import type { Store } from '../store/store.js';
import { publishRefusal, subscribeRefusal, type BrokerIdentity } from './acl.js';
import { authenticateClient } from './authenticate.js';
import { DataDiskFullError, logWriteFailure } from '../store/disk-full.js';
import { listen } from '../listen.js';

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  store: Store;
  /** Password of the manager's own client (MANAGER_MQTT_USERNAME), random per start. */
  managerSecret: string;
  roleOf(nodeId: string): NodeRecord['role'];
  logger: Logger;
  /** Server certificate chain and key (PEM): the broker speaks mqtts://. Null: plain mqtt:// (`--insecure-mqtt`). */
  tls: { cert: string; key: string } | null;
}

export interface EmbeddedBroker {
  readonly port: number;
  /** URL the manager's own client connects to. */
  readonly url: string;
  /** Closes the broker: every client is disconnected. */
  close(): Promise<void>;
}

const BAD_USERNAME_OR_PASSWORD = 4;
/** How long a revoked node keeps its connection to read that it was removed. */
const REVOKED_CLOSE_DELAY_MS = 5000;

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { store, logger } = options;
  const identities = new WeakMap<Client, BrokerIdentity>();
  const nodeClients = new Map<string, Client>();
  const refusalsLogged = new Set<string>();

  const logRefusalOnce = (who: BrokerIdentity, what: string, reason: string): void => {
    const key = `${who.kind === 'node' ? who.nodeId : 'manager'}|${what}`;
    if (refusalsLogged.has(key)) return;
    refusalsLogged.add(key);
    logger.warn({ node: who.kind === 'node' ? who.nodeId : null }, `mqtt ${what} refused: ${reason}`);
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

  const aedes = await Aedes.createBroker({
    heartbeatInterval: 60_000,
    authenticate(client, username, password, done) {
      let result;
      try {
        result = authenticateClient(
          { store, managerSecret: options.managerSecret, roleOf: options.roleOf },
          username,
          password?.toString('utf8'),
        );
      } catch (err) {
        logWriteFailure(logger, err, 'mqtt authentication');
        result = { ok: false as const, reason: err instanceof DataDiskFullError ? err.message : 'internal error' };
      }
      if (!result.ok) {
        logger.warn({ client: client.id }, `mqtt connection refused: ${result.reason}`);
        const err = Object.assign(new Error(result.reason), { returnCode: BAD_USERNAME_OR_PASSWORD }) as AuthenticateError;
        done(err, false);
        return;
      }
      identities.set(client, result.identity);
      if (result.identity.kind === 'node') nodeClients.set(result.identity.nodeId, client);
      if (result.joined) logger.info({ node: username }, 'node joined');
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const who = client ? identities.get(client) : undefined;
      if (!who) return done(new Error('unauthenticated publish'));
      const refusal = publishRefusal(who, packet.topic);
      if (refusal) {
        logRefusalOnce(who, `publish ${packet.topic}`, refusal);
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

  // A node removed while its CONNECT was in flight must not keep the session.
  aedes.on('clientReady', (client) => {
    const who = identities.get(client);
    if (who?.kind === 'node' && !store.getNode(who.nodeId)) dropRemoved(client, who.nodeId);
  });
  aedes.on('clientDisconnect', (client) => {
    const who = identities.get(client);
    if (who?.kind === 'node' && nodeClients.get(who.nodeId) === client) nodeClients.delete(who.nodeId);
  });
  aedes.on('clientError', (client, err) => logger.debug({ client: client.id, err: err.message }, 'mqtt client error'));

  const onChange = (changes: Change[]): void => {
    for (const c of changes) {
      const client = c.kind === 'node' && c.op === 'delete' ? nodeClients.get(c.id) : undefined;
      if (client) dropRemoved(client, c.id);
    }
  };
  store.on('change', onChange);

  // A client that opens a socket and never finishes the handshake is dropped after 10 s, not 120.
  const server: Server = options.tls
    ? createTlsServer({ ...options.tls, handshakeTimeout: 10_000, minVersion: 'TLSv1.2' }, (socket) => aedes.handle(socket))
    : createServer((socket) => aedes.handle(socket));
  if (options.tls) server.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'mqtts handshake failed'));
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  const connectHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const scheme = options.tls ? 'mqtts' : 'mqtt';
  logger.info({ host: options.host, port, tls: options.tls !== null }, 'embedded MQTT broker listening');

  return {
    port,
    url: `${scheme}://${connectHost.includes(':') ? `[${connectHost}]` : connectHost}:${port}`,
    async close() {
      store.off('change', onChange);
      for (const timer of closing) clearTimeout(timer);
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
