/**
 * The cluster's identity, made on first start and kept across restarts: cluster id, worker join
 * token, the manager's external-broker secret, and the admin API token. The admin token lives in
 * `<dataDir>/admin.token` (mode 600), which is its source of truth: the store keeps only its
 * hash, an admin may replace the file's content to set a token, and a deleted file gets a new one.
 * The join token carries the digest of the cluster CA (manager/tls/cluster-tls.ts), made here on
 * first start; a token without it (made before TLS) or with another CA's is replaced, which nodes
 * that joined already never notice (they log in with their own secret).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { joinTokenCaDigest } from '../../shared/join-token.js';
import { hashSecret, newJoinToken, randomToken } from '../broker/secrets.js';
import { ensureClusterCa } from '../tls/cluster-tls.js';
import type { ClusterRecord } from './records.js';
import type { Store } from './store.js';

export const ADMIN_TOKEN_FILE = 'admin.token';

export function ensureClusterIdentity(store: Store, dataDir: string, now: number): { cluster: ClusterRecord; adminTokenPath: string } {
  const adminTokenPath = join(dataDir, ADMIN_TOKEN_FILE);
  let adminToken = existsSync(adminTokenPath) ? readFileSync(adminTokenPath, 'utf8').trim() : '';
  if (adminToken === '') {
    adminToken = randomToken(32);
    writeFileSync(adminTokenPath, `${adminToken}\n`, { mode: 0o600 });
  }
  chmodSync(adminTokenPath, 0o600);
  const adminTokenHash = hashSecret(adminToken);
  // Certificates follow the real clock (peers check them against it), never an injected one.
  const { digest } = ensureClusterCa(dataDir);
  const existing = store.getCluster();
  if (existing && existing.adminTokenHash === adminTokenHash && joinTokenCaDigest(existing.joinToken) === digest) return { cluster: existing, adminTokenPath };
  const cluster: ClusterRecord = existing
    ? { ...existing, adminTokenHash, joinToken: joinTokenCaDigest(existing.joinToken) === digest ? existing.joinToken : newJoinToken(digest) }
    : { id: randomToken(13), joinToken: newJoinToken(digest), adminTokenHash, brokerSecret: randomToken(32), createdAt: now };
  return { cluster: store.saveCluster(cluster), adminTokenPath };
}
