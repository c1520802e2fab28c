import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renameMaterialRefs, resolveStackMaterials } from '../../cli/commands/stack-materials.js';
import { defaultServiceSpec } from '../../shared/service-spec.js';
import type { StackMaterial } from '../../shared/stack/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-stack-materials-'));
  mkdirSync(join(dir, 'deploy'));
  mkdirSync(join(dir, 'secrets'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const def = (over: Partial<StackMaterial>): StackMaterial => ({ key: 'k', external: false, name: null, file: null, environment: null, labels: {}, ...over });

describe('stack deploy secrets', () => {
  it('reads file relative to the stack file and environment from the shell, names them <stack>_<key>, externals as given', () => {
    writeFileSync(join(dir, 'secrets', 'db.txt'), 'from-file');
    const stackFile = join(dir, 'deploy', 'stack.yml');
    const resolved = resolveStackMaterials(
      'shop',
      stackFile,
      'secret',
      [def({ key: 'db', file: '../secrets/db.txt' }), def({ key: 'api', environment: 'API_KEY' }), def({ key: 'tls', external: true, name: 'site_tls' })],
      { API_KEY: 'from-env' },
    );
    expect(resolved.bodies).toEqual([
      { name: 'shop_db', data: Buffer.from('from-file').toString('base64'), labels: { 'com.docker.stack.namespace': 'shop' } },
      { name: 'shop_api', data: Buffer.from('from-env').toString('base64'), labels: { 'com.docker.stack.namespace': 'shop' } },
    ]);
    expect([...resolved.names]).toEqual([['db', 'shop_db'], ['api', 'shop_api'], ['tls', 'site_tls']]);
    const web = { ...defaultServiceSpec('shop_web'), secrets: [{ source: 'db', target: 'db', uid: null, gid: null, mode: null }] };
    expect(renameMaterialRefs([web], resolved.names, new Map())[0]?.secrets).toEqual([{ source: 'shop_db', target: 'db', uid: null, gid: null, mode: null }]);
  });

  it('names the definition when its file or variable is missing', () => {
    const stackFile = join(dir, 'stack.yml');
    expect(() => resolveStackMaterials('shop', stackFile, 'secret', [def({ key: 'db', file: 'nope.txt' })], {})).toThrow(`${stackFile}: secrets.db: cannot read ${join(dir, 'nope.txt')}: no such file`);
    expect(() => resolveStackMaterials('shop', stackFile, 'config', [def({ key: 'cfg', environment: 'CFG' })], {})).toThrow(`${stackFile}: configs.cfg: environment variable CFG is not set`);
  });
});
