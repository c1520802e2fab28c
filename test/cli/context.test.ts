/**
 * Finding the manager: on its own host the CLI needs no setup (the manager's api.json, even over
 * HTTPS with the cluster CA); elsewhere `kelvin context create/use` does what the banner says.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKelvin, spawnKelvin } from '../helpers/cli.js';
import { waitUntil } from '../helpers/cluster.js';
import { freePort } from '../helpers/mosquitto.js';

const dir = mkdtempSync(join(tmpdir(), 'kelvin-context-'));
const dataDir = join(dir, 'manager');
const elsewhere = join(dir, 'elsewhere'); // a machine without a manager: an empty data dir
let httpPort: number;
let manager: ChildProcess;
let banner = '';
let managerStdout = '';

/** The CLI as a user runs it: no KELVIN_HOST or KELVIN_TOKEN, its own config dir. */
function env(dataDirOfThisHost: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, KELVIN_DATA_DIR: dataDirOfThisHost, XDG_CONFIG_HOME: join(dir, 'config'), ...extra };
  for (const name of ['KELVIN_HOST', 'KELVIN_TOKEN', 'KELVIN_CONTEXT'] as const) if (!(name in extra)) delete e[name];
  return e;
}

const onManagerHost = (args: string[]) => runKelvin(args, { env: env(dataDir) });
const onOtherHost = (args: string[], extra: NodeJS.ProcessEnv = {}) => runKelvin(args, { env: env(elsewhere, extra) });

beforeAll(async () => {
  mkdirSync(elsewhere);
  httpPort = await freePort();
  // Beyond loopback, so the API speaks HTTPS with a certificate from the cluster's own CA.
  manager = spawnKelvin(['manager', '--no-agent', '--mqtt-host', '127.0.0.1', '--mqtt-port', String(await freePort()), '--http', `0.0.0.0:${httpPort}`], {
    env: { ...process.env, KELVIN_DATA_DIR: dataDir, KELVIN_LOG_LEVEL: 'warn' },
  });
  manager.stderr?.on('data', (d: Buffer) => (banner += d.toString()));
  manager.stdout?.on('data', (d: Buffer) => (managerStdout += d.toString()));
  await waitUntil('the manager banner', async () => banner.includes('kelvin context use'), 20_000);
}, 30_000);

afterAll(async () => {
  manager?.kill('SIGTERM');
  if (manager && manager.exitCode === null) await new Promise((r) => manager.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

describe('the CLI on the manager host', () => {
  it('reaches the HTTPS API with no setup: address, admin token and CA from the data dir', async () => {
    expect(existsSync(join(dataDir, 'api.json'))).toBe(true);
    const r = await onManagerHost(['node', 'ls', '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('gets the banner on stderr, saying exactly how to point another CLI at it', () => {
    expect(managerStdout).toBe('');
    expect(banner).toMatch(new RegExp(`^    kelvin context create \\S+ --host https://[\\d.]+:${httpPort} --token-file admin\\.token --ca-file ca\\.pem$`, 'm'));
    expect(banner).toContain(`copy ${join(dataDir, 'admin.token')} and ${join(dataDir, 'tls', 'ca.pem')} there`);
  });
});

describe('kelvin context on another machine', () => {
  it('cannot reach a manager until told where, and says how to tell it', async () => {
    // Another test's manager may listen on the default port: the error then is its refusal of our token.
    const r = await onOtherHost(['node', 'ls']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('http://127.0.0.1:8080 (from the default address)');
    const refused = await onOtherHost(['node', 'ls'], { KELVIN_HOST: `http://127.0.0.1:${await freePort()}` });
    expect(refused.stderr).toMatch(
      /^kelvin: cannot reach the manager at http:\/\/127\.0\.0\.1:\d+ \(from KELVIN_HOST\): connection refused; point the CLI at the manager with --host URL, KELVIN_HOST=URL or a context \(kelvin context create \/ use\)\n$/,
    );
  });

  it('creates, uses, lists and removes a context holding the address, token and CA', async () => {
    const host = `https://127.0.0.1:${httpPort}`;
    const created = await onOtherHost(['context', 'create', 'lab', '--host', host, '--token-file', join(dataDir, 'admin.token'), '--ca-file', join(dataDir, 'tls', 'ca.pem')]);
    expect(created).toMatchObject({ code: 0, stdout: 'lab\nSuccessfully created context "lab"\n' });
    expect((await onOtherHost(['--context', 'lab', 'node', 'ls', '-q'])).code).toBe(0);
    expect((await onOtherHost(['context', 'use', 'lab'])).code).toBe(0);
    expect(await onOtherHost(['node', 'ls', '--json'])).toMatchObject({ code: 0, stdout: '[]\n' });
    expect((await onOtherHost(['context', 'ls', '--format', '{{.Name}} {{.Current}} {{.Host}}'])).stdout).toBe(`default false (this host)\nlab true ${host}\n`);
    expect((await onOtherHost(['context', 'ls'])).stdout).toMatch(/^lab \*\s+https:/m);

    // KELVIN_HOST outranks the current context, as DOCKER_HOST does.
    const free = await freePort();
    const viaEnv = await onOtherHost(['node', 'ls'], { KELVIN_HOST: `http://127.0.0.1:${free}` });
    expect(viaEnv.stderr).toContain(`cannot reach the manager at http://127.0.0.1:${free} (from KELVIN_HOST): connection refused;`);
    const unknown = await onOtherHost(['node', 'ls'], { KELVIN_CONTEXT: 'nope' });
    expect(unknown).toMatchObject({ code: 2, stderr: "kelvin: KELVIN_CONTEXT: no context named 'nope' (see: kelvin context ls)\n" });

    expect(await onOtherHost(['context', 'rm', 'lab'])).toMatchObject({ code: 0, stdout: 'lab\n' });
    expect((await onOtherHost(['node', 'ls'])).stderr).toContain('(from the default address)');
  });

  it('refuses a context that could never work, with one line naming the flag', async () => {
    const noCa = await onOtherHost(['context', 'create', 'x', '--host', 'http://h:1', '--ca-file', join(dataDir, 'tls', 'ca.pem')]);
    expect(noCa).toMatchObject({ code: 2, stderr: 'kelvin: --ca-file: only applies to an https:// --host\n' });
    const badName = await onOtherHost(['context', 'create', 'bad/name', '--host', 'http://h:1']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/^kelvin: context name 'bad\/name': letters, digits/);
    const reserved = await onOtherHost(['context', 'create', 'default', '--host', 'http://h:1']);
    expect(reserved.stderr).toBe("kelvin: context name 'default' is reserved (the built-in context)\n");
  });
});
