/**
 * Connection authentication. The username is the node id, the password carries join token and
 * node secret (shared/credentials.ts). A known node must present its registered secret and its
 * join token is ignored, so rotating the join token never locks it out; an unknown node must
 * present the current join token and its secret is bound to the id on that first join, so a join
 * token can never take over an existing node.
 */
import { MANAGER_MQTT_USERNAME, parseMqttPassword } from '../../shared/credentials.js';
import { isValidNodeId } from '../../shared/topics.js';
import type { NodeRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { BrokerIdentity } from './acl.js';
import { EXTERNAL_BROKER_CREDENTIAL, hashSecret, mosquittoPasswordHash, safeEqual, verifySecret } from './secrets.js';

export type AuthResult = { ok: true; identity: BrokerIdentity; joined: boolean } | { ok: false; reason: string };

export interface AuthContext {
  store: Store;
  managerSecret: string;
  roleOf(nodeId: string): NodeRecord['role'];
}

export function authenticateClient(ctx: AuthContext, username: string | undefined, password: string | undefined): AuthResult {
  if (username === undefined || password === undefined) return { ok: false, reason: 'username and password are required' };
  if (username === MANAGER_MQTT_USERNAME) {
    return safeEqual(password, ctx.managerSecret) ? { ok: true, identity: { kind: 'manager' }, joined: false } : { ok: false, reason: 'bad manager password' };
  }
  if (!isValidNodeId(username)) return { ok: false, reason: `username '${username}' is not a valid node id` };
  const cred = parseMqttPassword(password);
  if (!cred) return { ok: false, reason: `node ${username}: password is not in kelvin1:<join-token>:<secret> form` };
  const identity: BrokerIdentity = { kind: 'node', nodeId: username };
  return ctx.store.transaction((): AuthResult => {
    const revoked = ctx.store.revocationOf(username);
    if (revoked !== null) return { ok: false, reason: `node ${username} was removed from the cluster (${revoked}); its credential is revoked` };
    const known = ctx.store.nodeCredential(username);
    if (known?.secretHash === EXTERNAL_BROKER_CREDENTIAL.secretHash) {
      return { ok: false, reason: `node ${username} joined through an external broker; remove it (kelvin node rm) to let it join this one` };
    }
    if (known) {
      return verifySecret(cred.nodeSecret, known.secretHash)
        ? { ok: true, identity, joined: false }
        : { ok: false, reason: `node ${username}: secret does not match the one registered at join` };
    }
    const cluster = ctx.store.getCluster();
    if (!cluster || !safeEqual(cred.joinToken, cluster.joinToken)) return { ok: false, reason: `node ${username}: join token is not valid` };
    ctx.store.registerNode(
      username,
      { secretHash: hashSecret(cred.nodeSecret), mosquittoHash: mosquittoPasswordHash(password) },
      ctx.roleOf(username),
    );
    ctx.store.addEvent('node.join', username, `node ${username} joined the cluster`);
    return { ok: true, identity, joined: true };
  });
}
