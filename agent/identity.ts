/**
 * Who this board is, kept in the agent's state dir so it survives restarts and reboots:
 * `node-id` (made once from the hostname plus a short random suffix, so boards flashed from the same
 * image with the same hostname do not collide) and `node-secret` (random, mode 600), which the
 * manager binds to the node id on first join (shared/credentials.ts).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidNodeId } from '../shared/topics.js';
import { APPLIED_FILE } from './runtime/task-records.js';

export interface AgentIdentity {
  nodeId: string;
  nodeSecret: string;
}

const NODE_ID_FILE = 'node-id';
const NODE_SECRET_FILE = 'node-secret';
/** Written when the manager removed this node; the agent then stays idle until `kelvin agent leave`. */
const REMOVED_FILE = 'removed';
const SUFFIX_CHARS = 4;

/** A valid node id from a hostname: first DNS label, lower-cased, other characters turned into '-'. */
export function nodeIdFromHostname(hostname: string, maxLength = 63): string {
  const label = hostname.trim().split('.')[0] ?? '';
  const cleaned = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, '');
  return cleaned || 'node';
}

/** The node id kept in the state dir, or null before the first start. Throws naming the file if it is corrupt. */
export function readNodeId(stateDir: string): string | null {
  const file = join(stateDir, NODE_ID_FILE);
  if (!existsSync(file)) return null;
  const id = readFileSync(file, 'utf8').trim();
  if (!isValidNodeId(id)) {
    throw new Error(`${file}: '${id}' is not a valid node id (1 to 63 lower-case letters, digits and '-'); remove the file to make a new one`);
  }
  return id;
}

function readNodeSecret(stateDir: string): string | null {
  const file = join(stateDir, NODE_SECRET_FILE);
  if (!existsSync(file)) return null;
  const secret = readFileSync(file, 'utf8').trim();
  if (!/^[A-Za-z0-9_-]{16,}$/.test(secret)) {
    throw new Error(`${file}: the node secret is malformed; remove it (the manager must then forget the node) to make a new one`);
  }
  return secret;
}

/** Written to a temporary name and renamed, so a crash never leaves a half-written identity. */
function writePrivateFile(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Reads the identity, creating the state dir, node id and secret on first start. */
export function loadOrCreateIdentity(stateDir: string, hostname: string, random: (size: number) => Buffer = randomBytes): AgentIdentity {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  let nodeId = readNodeId(stateDir);
  if (nodeId === null) {
    const suffix = random(SUFFIX_CHARS).toString('hex').slice(0, SUFFIX_CHARS);
    nodeId = `${nodeIdFromHostname(hostname, 63 - SUFFIX_CHARS - 1)}-${suffix}`;
    writePrivateFile(join(stateDir, NODE_ID_FILE), `${nodeId}\n`);
  }
  let nodeSecret = readNodeSecret(stateDir);
  if (nodeSecret === null) {
    nodeSecret = random(24).toString('base64url');
    writePrivateFile(join(stateDir, NODE_SECRET_FILE), `${nodeSecret}\n`);
  } else {
    // A secret copied in by hand may be world-readable; it is a credential.
    chmodSync(join(stateDir, NODE_SECRET_FILE), 0o600);
  }
  return { nodeId, nodeSecret };
}

/** Notes that the manager removed this node (a line saying how, shown at every later start). */
export function markRemoved(stateDir: string, how: string): void {
  writePrivateFile(join(stateDir, REMOVED_FILE), `${how}\n`);
}

/** How this node was removed, or null while it is a member. */
export function removedMark(stateDir: string): string | null {
  try {
    return readFileSync(join(stateDir, REMOVED_FILE), 'utf8').trim() || 'removed';
  } catch {
    return null;
  }
}

/** Forgets who this board was: the next start makes a new node id and secret and joins afresh. */
export function forgetIdentity(stateDir: string): void {
  // The applied desired set belongs to the old identity's manager history too.
  for (const file of [NODE_ID_FILE, NODE_SECRET_FILE, REMOVED_FILE, APPLIED_FILE]) rmSync(join(stateDir, file), { force: true });
}
