/**
 * The key that seals secrets in the store. By default it lives beside the store in
 * `DATA-DIR/secrets.key` (mode 600), made on first start. With `--secrets-key-file FILE` (the
 * auto-lock mode, like `docker swarm init --autolock`) it is read from FILE instead, for example a
 * removable medium or a tmpfs filled at boot, and never written into the data dir: a copy of the
 * data dir alone then opens no secret. The file holds the 32 bytes as base64 on one line.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_BYTES } from './cipher.js';

export const SECRETS_KEY_FILE = 'secrets.key';

export interface SecretsKey {
  key: Buffer;
  path: string;
  created: boolean;
}

/** `supplied`: `--secrets-key-file`, which must exist (created only when `create` says so). */
export function loadSecretsKey(dataDir: string, supplied: string | null): SecretsKey {
  const path = supplied ?? join(dataDir, SECRETS_KEY_FILE);
  const what = supplied ? `--secrets-key-file ${supplied}` : `secrets key ${path}`;
  if (!existsSync(path)) {
    if (supplied) throw new Error(`${what}: no such file (make one with: head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE)`);
    const key = randomBytes(KEY_BYTES);
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { key, path, created: true };
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new Error(`${what}: mode ${mode.toString(8).padStart(4, '0')} lets others read it; chmod 600 it`);
  const text = readFileSync(path, 'utf8').trim();
  const key = Buffer.from(text, 'base64');
  if (key.byteLength !== KEY_BYTES || key.toString('base64') !== text) throw new Error(`${what}: expected ${KEY_BYTES} bytes in base64 on one line`);
  return { key, path, created: false };
}
