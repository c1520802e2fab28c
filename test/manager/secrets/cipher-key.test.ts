import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretCipher } from '../../../manager/secrets/cipher.js';
import { loadSecretsKey } from '../../../manager/secrets/key-file.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-key-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SecretCipher', () => {
  const cipher = new SecretCipher(Buffer.alloc(32, 7));

  it('opens what it sealed, and never shows the plaintext in the sealed bytes', () => {
    const sealed = cipher.seal(Buffer.from('hunter2-hunter2'), 'secret\nid1\ndb');
    expect(sealed.includes(Buffer.from('hunter2'))).toBe(false);
    expect(cipher.open(sealed, 'secret\nid1\ndb').toString()).toBe('hunter2-hunter2');
    // A fresh nonce each time: the same value seals differently.
    expect(cipher.seal(Buffer.from('x'), 'a').equals(cipher.seal(Buffer.from('x'), 'a'))).toBe(false);
  });

  it('detects a flipped bit, a value moved to another row, and another key', () => {
    const sealed = cipher.seal(Buffer.from('value'), 'secret\nid1\ndb');
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    const failure = 'sealed value failed authentication (altered, moved, or sealed with another key)';
    expect(() => cipher.open(flipped, 'secret\nid1\ndb')).toThrow(failure);
    expect(() => cipher.open(sealed, 'secret\nid2\ndb')).toThrow(failure);
    expect(() => new SecretCipher(Buffer.alloc(32, 8)).open(sealed, 'secret\nid1\ndb')).toThrow(failure);
    expect(() => cipher.open(sealed.subarray(0, 10), 'secret\nid1\ndb')).toThrow('sealed value is malformed');
  });
});

describe('loadSecretsKey', () => {
  it('makes DATA-DIR/secrets.key with mode 600 on first start and reads the same key after', () => {
    const dir = tempDir();
    const first = loadSecretsKey(dir, null);
    expect(first.created).toBe(true);
    expect(first.path).toBe(join(dir, 'secrets.key'));
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const again = loadSecretsKey(dir, null);
    expect(again.created).toBe(false);
    expect(again.key.equals(first.key)).toBe(true);
  });

  it('with --secrets-key-file reads that file, writes nothing into the data dir, and refuses a missing, open or malformed one', () => {
    const dir = tempDir();
    const file = join(tempDir(), 'unlock.key');
    expect(() => loadSecretsKey(dir, file)).toThrow(`--secrets-key-file ${file}: no such file (make one with: head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE)`);
    writeFileSync(file, `${Buffer.alloc(32, 1).toString('base64')}\n`, { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(() => loadSecretsKey(dir, file)).toThrow(`--secrets-key-file ${file}: mode 0644 lets others read it; chmod 600 it`);
    chmodSync(file, 0o600);
    expect(loadSecretsKey(dir, file).key.equals(Buffer.alloc(32, 1))).toBe(true);
    expect(() => readFileSync(join(dir, 'secrets.key'))).toThrow(/ENOENT/);
    writeFileSync(file, 'c2hvcnQ=\n');
    expect(() => loadSecretsKey(dir, file)).toThrow(`--secrets-key-file ${file}: expected 32 bytes in base64 on one line`);
  });
});
