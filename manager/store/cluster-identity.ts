/**
 * The cluster's identity, made on first start and kept across restarts: cluster id, worker join
 * token, the manager's external-broker secret, and the admin API token. The admin token lives in
 * `<dataDir>/admin.token` (mode 600), which is its source of truth: the store keeps only its
 * hash, an admin may replace the file's content to set a token, and a deleted file gets a new one.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashSecret, newJoinToken, randomToken } from '../broker/secrets.js';
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
  const existing = store.getCluster();
  if (existing && existing.adminTokenHash === adminTokenHash) return { cluster: existing, adminTokenPath };
  const cluster: ClusterRecord = existing
    ? { ...existing, adminTokenHash }
    : { id: randomToken(13), joinToken: newJoinToken(), adminTokenHash, brokerSecret: randomToken(32), createdAt: now };
  return { cluster: store.saveCluster(cluster), adminTokenPath };
}
