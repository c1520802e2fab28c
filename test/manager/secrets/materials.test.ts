import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cluster, ClusterError } from '../../../manager/cluster.js';
import { SecretCipher } from '../../../manager/secrets/cipher.js';
import { Materials } from '../../../manager/secrets/materials.js';
import { SecretsResponder } from '../../../manager/secrets/secrets-responder.js';
import { applyStackMaterials, removeStackMaterials } from '../../../manager/secrets/stack-materials.js';
import { silentLogger } from '../../../shared/logger.js';
import type { SecretsRequest } from '../../../shared/payloads/secrets.js';
import { newBoxKeyPair, open, sealedValueAad } from '../../../shared/secrets/sealed-box.js';
import { Harness, spec } from '../orchestrator/harness.js';

const PLAINTEXT = 'plaintext-that-must-not-leak-0123456789';
let h: Harness;
let materials: Materials;
let cluster: Cluster;

beforeEach(() => {
  h = new Harness();
  materials = new Materials(h.store, new SecretCipher(Buffer.alloc(32, 3)), () => h.clock.now());
  cluster = new Cluster(h.store, h.clock, materials);
});
afterEach(() => h.close());

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ClusterError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

const withSecret = (name: string, source = 'db_pass'): ReturnType<typeof spec> => spec(name, { secrets: [{ source, target: source, uid: null, gid: null, mode: null }] });

describe('Materials', () => {
  it('keeps values sealed in the SQLite file and out of events and views', () => {
    materials.create('secret', 'db_pass', Buffer.from(PLAINTEXT), { team: 'web' });
    h.store.database.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(join(h.dir, 'kelvin.db')).includes(Buffer.from(PLAINTEXT))).toBe(false);
    expect(materials.value('secret', 'db_pass')?.toString()).toBe(PLAINTEXT);
    expect(JSON.stringify(h.store.listEvents())).not.toContain(PLAINTEXT);
    expect(materials.list('secret')).toEqual([expect.objectContaining({ name: 'db_pass', labels: { team: 'web' }, usedBy: [] })]);
    expect(JSON.stringify(materials.get('secret', 'db_pass'))).not.toContain(PLAINTEXT);
  });

  it("refuses Swarm's bad names, empty and oversized values, and a second one with the same name", () => {
    expect(errorOf(() => materials.create('secret', 'bad name', Buffer.from('x')))).toBe(
      "invalid: secret name 'bad name': 1 to 64 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    );
    expect(errorOf(() => materials.create('config', 'big', Buffer.alloc(500 * 1024 + 1)))).toBe('invalid: config big: data must be 1 byte to 500 KiB, got 512001 bytes');
    expect(errorOf(() => materials.create('secret', 'empty', Buffer.alloc(0)))).toBe('invalid: secret empty: data must be 1 byte to 500 KiB, got 0 bytes');
    materials.create('secret', 'one', Buffer.from('x'));
    expect(errorOf(() => materials.create('secret', 'one', Buffer.from('y')))).toBe("conflict: secret 'one' already exists");
    // Secrets and configs are separate namespaces, as in Swarm.
    expect(materials.create('config', 'one', Buffer.from('y')).kind).toBe('config');
  });

  it('refuses a service naming an unknown secret, and removal while services use it, naming them', () => {
    expect(errorOf(() => cluster.createService(withSecret('web')))).toBe("invalid: service web: secret 'db_pass' not found");
    materials.create('secret', 'db_pass', Buffer.from(PLAINTEXT));
    cluster.createService(withSecret('web'));
    cluster.createService(withSecret('api'));
    expect(errorOf(() => materials.remove('secret', 'db_pass'))).toBe("conflict: secret 'db_pass' is in use by the following services: api, web");
    cluster.removeService('web');
    cluster.removeService('api');
    expect(materials.remove('secret', 'db_pass').name).toBe('db_pass');
    expect(materials.value('secret', 'db_pass')).toBeNull();
  });

  it('refuses to start with another key than the one that sealed the values', () => {
    materials.create('secret', 'db_pass', Buffer.from(PLAINTEXT));
    expect(() => new Materials(h.store, new SecretCipher(Buffer.alloc(32, 4)), () => 0)).toThrow(
      "the secrets key is not the one this data dir's secrets were sealed with (wrong --secrets-key-file, or secrets.key replaced)",
    );
  });
});

describe('stack deploy secrets', () => {
  it('creates what is missing, keeps an unchanged one, refuses a changed value, and stack rm removes what the stack made', () => {
    const body = (data: string) => ({ name: 'shop_db', data: Buffer.from(data).toString('base64'), labels: { 'com.docker.stack.namespace': 'shop' } });
    applyStackMaterials(materials, 'secret', [body('v1')]);
    applyStackMaterials(materials, 'secret', [body('v1')]);
    expect(materials.list('secret').map((m) => m.name)).toEqual(['shop_db']);
    expect(errorOf(() => applyStackMaterials(materials, 'secret', [body('v2')]))).toBe(
      'conflict: secret shop_db already exists with another value; a secret cannot change: give it a new name (and use that in the service)',
    );
    materials.create('secret', 'other', Buffer.from('x'));
    removeStackMaterials(materials, 'shop');
    expect(materials.list('secret').map((m) => m.name)).toEqual(['other']);
  });
});

describe('SecretsResponder', () => {
  it('answers only the node a task using the secret is assigned to, sealed to its key', () => {
    materials.create('secret', 'db_pass', Buffer.from(PLAINTEXT));
    h.addNode('pi-1');
    h.addNode('pi-2');
    cluster.createService(withSecret('web'));
    h.settle();
    const task = h.store.listTasks().find((t) => t.nodeId !== null);
    if (!task?.nodeId) throw new Error('the task was not placed');
    const owner = task.nodeId;
    const other = owner === 'pi-1' ? 'pi-2' : 'pi-1';
    const responder = new SecretsResponder({ store: h.store, materials, publish: async () => undefined, logger: silentLogger() });
    const keys = newBoxKeyPair();
    const request: SecretsRequest = { v: 1, requestId: 'r1', taskId: task.id, kind: 'secret', name: 'db_pass', publicKey: keys.publicKeyText };

    const answer = responder.answer(owner, request);
    expect(JSON.stringify(answer)).not.toContain(PLAINTEXT);
    if (!answer.ok) throw new Error(answer.error);
    expect(open(answer.sealed, keys, sealedValueAad(owner, request)).toString()).toBe(PLAINTEXT);
    // Sealed for this node, this request and this key pair only.
    expect(() => open(answer.sealed, keys, sealedValueAad(other, request))).toThrow();
    expect(() => open(answer.sealed, newBoxKeyPair(), sealedValueAad(owner, request))).toThrow();

    expect(responder.answer(other, request)).toEqual({ v: 1, requestId: 'r1', ok: false, error: `no task ${task.id} using secret db_pass is assigned to node ${other}` });
    expect(responder.answer(owner, { ...request, name: 'other' }).ok).toBe(false);
    expect(responder.answer(owner, { ...request, kind: 'config' }).ok).toBe(false);
    expect(responder.answer(owner, { ...request, publicKey: 'AAAA' })).toMatchObject({ ok: false, error: expect.stringMatching(/^cannot seal to the request's public key/) as unknown });
  });
});
