import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBody } from '../../../agent/runtime/docker/container-spec.js';
import { RuntimeError } from '../../../agent/runtime/types.js';
import { materialEnv, TaskMaterials } from '../../../agent/secrets/task-materials.js';
import type { MaterialRef } from '../../../shared/secrets/refs.js';
import { taskSpec } from '../../helpers/task-spec.js';

const ref = (source: string, target: string, over: Partial<MaterialRef> = {}): MaterialRef => ({ source, target, uid: null, gid: null, mode: null, ...over });
let root: string;
beforeEach(() => {
  root = join(mkdtempSync(join(tmpdir(), 'kelvin-materials-')), 'root');
});
afterEach(() => rmSync(join(root, '..'), { recursive: true, force: true }));

const values: Record<string, string> = { 'secret/db': 's3cret', 'config/app': 'level=debug' };
const fetch = async (_task: string, kind: string, name: string): Promise<Buffer> => Buffer.from(values[`${kind}/${name}`] ?? '');

describe('TaskMaterials', () => {
  it('writes a process task its files, 0400 in 0700 directories named in its environment, and removes them', async () => {
    const spec = taskSpec({ secrets: [ref('db', 'db_pass')], configs: [ref('app', '/etc/app.conf', { mode: 0o440 })] });
    const materials = new TaskMaterials(root, fetch);
    await materials.prepare(spec);
    const env = materialEnv(spec, root);
    expect(env).toEqual({ KELVIN_SECRETS_DIR: join(root, spec.id, 'secrets'), KELVIN_CONFIGS_DIR: join(root, spec.id, 'configs') });
    const secret = join(env.KELVIN_SECRETS_DIR ?? '', 'db_pass');
    expect(readFileSync(secret, 'utf8')).toBe('s3cret');
    expect(statSync(secret).mode & 0o777).toBe(0o400);
    expect(statSync(join(env.KELVIN_CONFIGS_DIR ?? '', 'app.conf')).mode & 0o777).toBe(0o440);
    expect(statSync(join(root, spec.id)).mode & 0o777).toBe(0o700);
    materials.remove(spec.id);
    expect(existsSync(join(root, spec.id))).toBe(false);
  });

  it('writes nothing when a value cannot be fetched, and passes the fetch error on', async () => {
    const spec = taskSpec({ secrets: [ref('db', 'db'), ref('gone', 'gone')] });
    const failing = new TaskMaterials(root, async (_t, kind, name) => {
      if (name === 'gone') throw new RuntimeError(`${kind} ${name}: no longer exists`, 'permanent');
      return Buffer.from('x');
    });
    await expect(failing.prepare(spec)).rejects.toThrow('secret gone: no longer exists');
    expect(existsSync(join(root, spec.id))).toBe(false);
  });

  it('gives a task without secrets nothing: no directory, no environment, no mounts', async () => {
    const spec = taskSpec();
    await new TaskMaterials(root, fetch).prepare(spec);
    expect(existsSync(root)).toBe(false);
    expect(materialEnv(spec, root)).toEqual({});
    expect(createBody({ ...spec, driver: 'docker', image: 'busybox' }, 'busybox', null, null, root).HostConfig.Mounts).toBeUndefined();
  });

  it('bind-mounts a container its files read-only at /run/secrets/<target> and configs at their target', () => {
    const spec = taskSpec({ driver: 'docker', image: 'busybox', secrets: [ref('db', 'db'), ref('tls', '/certs/key.pem')], configs: [ref('app', '/app')] });
    expect(createBody(spec, 'busybox', null, null, root).HostConfig.Mounts).toEqual([
      { Type: 'bind', Source: join(root, spec.id, 'secrets', 'db'), Target: '/run/secrets/db', ReadOnly: true },
      { Type: 'bind', Source: join(root, spec.id, 'secrets', 'key.pem'), Target: '/certs/key.pem', ReadOnly: true },
      { Type: 'bind', Source: join(root, spec.id, 'configs', 'app'), Target: '/app', ReadOnly: true },
    ]);
  });

  it('sweeps the directories of every task but those kept, and finds nothing to sweep before the first write', async () => {
    const materials = new TaskMaterials(root, fetch);
    expect(materials.sweep(new Set())).toEqual([]);
    const running = taskSpec({ secrets: [ref('db', 'db')] });
    const crashed = taskSpec({ secrets: [ref('db', 'db')] });
    await materials.prepare(running);
    await materials.prepare(crashed);
    expect(materials.sweep(new Set([running.id]))).toEqual([crashed.id]);
    expect(existsSync(join(root, crashed.id))).toBe(false);
    expect(readFileSync(join(root, running.id, 'secrets', 'db'), 'utf8')).toBe('s3cret');
  });
});
