/**
 * Connection authentication. The username is the node id, the password carries join token and
 * node secret (shared/credentials.ts), the client id must be the node's own (`nodeClientId`). A
 * known node must present its registered secret and its join token is ignored, so rotating the
 * join token never locks it out. An unknown node must present the current join token; its secret
 * is bound to the id on that first contact (PendingJoins), so a join token can never take over an
 * existing or joining node, but the node is registered only when it first reports (Inventory).
 */
import { MANAGER_MQTT_USERNAME, nodeClientId, parseMqttPassword } from '../../shared/credentials.js';
import { isValidNodeId } from '../../shared/topics.js';
import type { Store } from '../store/store.js';
import type { BrokerIdentity } from './acl.js';
import type { PendingJoins } from './pending-joins.js';
import { EXTERNAL_BROKER_CREDENTIAL, hashSecret, mosquittoPasswordHash, safeEqual, verifySecret } from './secrets.js';

/**
 * `refused`: `identifier` when the client id is not the node's own (CONNACK 2), else `credentials`
 * (CONNACK 4). `kind` names the rule that refused, without the node id: refusals are logged once a
 * minute per source and kind, so 2,000 made-up ids from one address make one line, not 2,000.
 */
export type AuthResult =
  | { ok: true; identity: BrokerIdentity; joining: boolean }
  | { ok: false; reason: string; refused: 'identifier' | 'credentials'; kind: string };

export interface AuthContext {
  store: Store;
  managerSecret: string;
  pending: PendingJoins;
  /** Asked before a join (an id neither registered nor pending) is considered: null, or why not now. */
  joinRefusal(): string | null;
}

export interface ConnectAttempt {
  clientId: string;
  username: string | undefined;
  password: string | undefined;
}

export function authenticateClient(ctx: AuthContext, attempt: ConnectAttempt): AuthResult {
  const { username, password, clientId } = attempt;
  const refuse = (kind: string, reason: string, refused: 'identifier' | 'credentials' = 'credentials'): AuthResult => ({ ok: false, reason, refused, kind });
  if (username === undefined || password === undefined) return refuse('anonymous', 'username and password are required');
  if (username === MANAGER_MQTT_USERNAME) {
    return safeEqual(password, ctx.managerSecret) ? { ok: true, identity: { kind: 'manager' }, joining: false } : refuse('manager', 'bad manager password');
  }
  if (!isValidNodeId(username)) return refuse('username', `username '${username}' is not a valid node id`);
  if (clientId !== nodeClientId(username)) {
    return refuse('client-id', `node ${username} must connect with client id '${nodeClientId(username)}', not '${clientId}'`, 'identifier');
  }
  const cred = parseMqttPassword(password);
  if (!cred) return refuse('password-form', `node ${username}: password is not in kelvin1:<join-token>:<secret> form`);
  const identity: BrokerIdentity = { kind: 'node', nodeId: username };
  const revoked = ctx.store.revocationOf(username);
  if (revoked !== null) return refuse('revoked', `node ${username} was removed from the cluster (${revoked}); its credential is revoked`);

  const known = ctx.store.nodeCredential(username) ?? ctx.pending.get(username);
  if (known?.secretHash === EXTERNAL_BROKER_CREDENTIAL.secretHash) {
    return refuse('external', `node ${username} joined through an external broker; remove it (kelvin node rm) to let it join this one`);
  }
  if (known) {
    return verifySecret(cred.nodeSecret, known.secretHash)
      ? { ok: true, identity, joining: false }
      : refuse('secret', `node ${username}: secret does not match the one bound to it at join`);
  }
  const notNow = ctx.joinRefusal();
  if (notNow) return refuse('join-rate', `node ${username}: ${notNow}`);
  const cluster = ctx.store.getCluster();
  if (!cluster || !safeEqual(cred.joinToken, cluster.joinToken)) return refuse('join-token', `node ${username}: join token is not valid`);
  const bound = ctx.pending.add(username, { secretHash: hashSecret(cred.nodeSecret), mosquittoHash: mosquittoPasswordHash(password) });
  if (!bound) return refuse('pending-full', `node ${username}: ${ctx.pending.max} nodes are already joining and have not reported yet; try again later`);
  return { ok: true, identity, joining: true };
}
