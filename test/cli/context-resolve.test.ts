/** Contexts on disk and which manager a command talks to, with docker's precedence. */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeApiInfo } from '../../cli/context/local-manager.js';
import { configDir } from '../../cli/context/paths.js';
import { resolveEndpoint, type EndpointFlags } from '../../cli/context/resolve.js';
import { ContextStore } from '../../cli/context/store.js';
import { UsageError } from '../../cli/errors.js';

let dir: string;
let store: ContextStore;
let dataDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-ctx-'));
  store = new ContextStore(join(dir, 'config', 'kelvin'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  store.save({ name: 'lab', description: '', host: 'https://lab:8080', token: 'lab-token', caPem: 'LAB-CA' });
  store.save({ name: 'shop', description: '', host: 'http://shop:8080', token: null, caPem: null });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const resolve = (flags: EndpointFlags, env: NodeJS.ProcessEnv = {}) => resolveEndpoint(flags, env, { store, dataDir });

describe('ContextStore', () => {
  it('keeps contexts private: directories 700, files 600', () => {
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(store.dir, 'contexts')).mode & 0o777).toBe(0o700);
    expect(statSync(join(store.dir, 'contexts', 'lab.json')).mode & 0o777).toBe(0o600);
    store.setCurrent('lab');
    expect(statSync(join(store.dir, 'config.json')).mode & 0o777).toBe(0o600);
  });

  it('lists, switches and removes contexts; removing the current one goes back to default', () => {
    expect(store.list().map((c) => c.name)).toEqual(['lab', 'shop']);
    store.setCurrent('lab');
    expect(store.current()).toBe('lab');
    expect(store.remove('lab')).toBe(true);
    expect(store.current()).toBeNull();
    expect(store.remove('lab')).toBe(false);
  });

  it('lives under XDG_CONFIG_HOME when set, else ~/.config', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/kelvin');
    expect(configDir({ XDG_CONFIG_HOME: 'relative' })).toMatch(/\/\.config\/kelvin$/);
  });

  it('says which file is broken instead of failing obscurely', () => {
    writeFileSync(join(store.dir, 'contexts', 'bad.json'), '{nope');
    expect(() => store.get('bad')).toThrow(/bad\.json: not valid JSON \(fix or delete it\)/);
  });
});

describe('resolveEndpoint', () => {
  it('follows docker: --context or --host, then KELVIN_HOST, then KELVIN_CONTEXT, then the current context', () => {
    store.setCurrent('shop');
    const env = { KELVIN_HOST: 'http://env-host:1', KELVIN_CONTEXT: 'lab' };
    expect(resolve({ context: 'lab' }, env)).toMatchObject({ host: 'https://lab:8080', token: 'lab-token', caPem: 'LAB-CA', source: 'context "lab"' });
    expect(resolve({ host: 'http://flag:2' }, env)).toMatchObject({ host: 'http://flag:2', source: '--host' });
    expect(resolve({}, env)).toMatchObject({ host: 'http://env-host:1', source: 'KELVIN_HOST' });
    expect(resolve({}, { KELVIN_CONTEXT: 'lab' })).toMatchObject({ host: 'https://lab:8080', source: 'context "lab"' });
    expect(resolve({})).toMatchObject({ host: 'http://shop:8080' });
    expect(() => resolve({ host: 'http://a:1', context: 'lab' })).toThrow('conflicting options: either --host or --context, not both');
    expect(() => resolve({ context: 'nope' })).toThrow(UsageError);
  });

  it('finds the manager on this host through its api.json, with its admin token and CA', () => {
    writeFileSync(join(dataDir, 'admin.token'), 'local-admin\n');
    writeFileSync(join(dataDir, 'ca.pem'), 'LOCAL-CA\n');
    expect(resolve({})).toMatchObject({ host: 'http://127.0.0.1:8080', token: 'local-admin', source: 'the default address' });
    writeApiInfo(dataDir, { url: 'https://127.0.0.1:9443', adminTokenFile: join(dataDir, 'admin.token'), caFile: join(dataDir, 'ca.pem') });
    expect(statSync(join(dataDir, 'api.json')).mode & 0o777).toBe(0o600);
    expect(resolve({})).toMatchObject({ host: 'https://127.0.0.1:9443', token: 'local-admin', caPem: 'LOCAL-CA' });
    expect(resolve({ context: 'default' })).toMatchObject({ host: 'https://127.0.0.1:9443' });
  });

  it('lets KELVIN_TOKEN override the token of any endpoint', () => {
    expect(resolve({ context: 'lab' }, { KELVIN_TOKEN: 'override' }).token).toBe('override');
  });

  it('refuses a host that is not http(s)://HOST:PORT, naming where it came from', () => {
    expect(() => resolve({}, { KELVIN_HOST: 'lab:8080' })).toThrow("KELVIN_HOST: 'lab:8080' is not http(s)://HOST:PORT");
    expect(() => resolve({ host: 'ftp://x' })).toThrow("--host: 'ftp://x' is not http(s)://HOST:PORT");
  });
});
