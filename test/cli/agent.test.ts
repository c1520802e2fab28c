import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nodeFacts } from '../../shared/payloads/facts.js';
import { telemetry } from '../../shared/payloads/telemetry.js';
import { REPO_ROOT, runKelvin } from '../helpers/cli.js';

const board = (name: string) => join(REPO_ROOT, 'test/fixtures/boards', name);
const onceOutput = z.strictObject({ facts: nodeFacts, telemetry });
const dir = mkdtempSync(join(tmpdir(), 'kelvin-cli-agent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kelvin agent --once', () => {
  it.each(['rpi4', 'jetson-orin', 'x86-nvidia'])('prints one JSON object of full facts and telemetry for the %s board', async (name) => {
    const r = await runKelvin(['agent', '--once', '--json', '--host-root', board(name), '--state-dir', join(dir, 'none'), '--label', 'zone=lab']);
    expect(r.code).toBe(0);
    const out = onceOutput.parse(JSON.parse(r.stdout));
    expect(out.telemetry.seq).toBe(0);
    expect(out.facts.engineLabels).toEqual({ zone: 'lab' });
    expect(out.facts.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(out.facts.drivers).toContain('process');
    // Without a state dir the node id is the hostname made valid, with no random suffix.
    expect(out.facts.nodeId).toBe(out.facts.hostname.toLowerCase().split('.')[0]?.replace(/[^a-z0-9-]+/g, '-'));
  });

  it('uses the node id from the state dir and the --name given', async () => {
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, 'node-id'), 'pi-kitchen-9f3a\n');
    const r = await runKelvin(['agent', '--once', '--json', '--host-root', board('rpi4'), '--state-dir', stateDir, '--name', 'Kitchen-Pi']);
    expect(r.code).toBe(0);
    const out = onceOutput.parse(JSON.parse(r.stdout));
    expect(out.facts.nodeId).toBe('pi-kitchen-9f3a');
    expect(out.facts.hostname).toBe('Kitchen-Pi');
  });

  it('prints a readable summary by default', async () => {
    const r = await runKelvin(['agent', '--once', '--host-root', board('rpi4'), '--state-dir', join(dir, 'none')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Board:\s+Raspberry Pi 4 Model B/m);
    expect(r.stdout).toMatch(/^Drivers:\s+process/m);
    expect(r.stdout).toMatch(/^Node id:\s+\S+/m);
  });

  it.each([
    [['--interval', 'soon'], /^kelvin: --interval: 'soon' is not a duration/],
    [['--host-root', '/no/such/root'], /^kelvin: --host-root: no such directory/],
    [['--label', 'oops'], /^kelvin: --label: 'oops' is not key=value/],
  ])('rejects %j with one line and exit 2', async (flags, message) => {
    const args = flags[0] === '--interval' ? ['agent', '--broker', 'mqtt://127.0.0.1:1', '--token', 't', ...flags] : ['agent', '--once', ...flags];
    const r = await runKelvin(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('needs a broker to run as a daemon, and says how to look without one', async () => {
    const r = await runKelvin(['agent', '--token', 't']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('kelvin: --broker: required (or use --once to inspect this board without a manager)');
  });
});

describe('kelvin agent install / uninstall', () => {
  it('writes the unit and a private env file from KELVIN_JOIN_TOKEN, and tells how to enable it', async () => {
    const root = join(dir, 'root');
    const token = 'tok-never-printed-7';
    const r = await runKelvin(['agent', 'install', '--root', root, '--broker', 'mqtt://manager.lan:1883', '--label', 'zone=lab'], {
      env: { ...process.env, KELVIN_JOIN_TOKEN: token },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('systemctl daemon-reload && systemctl enable --now kelvin-agent');
    expect(r.stdout + r.stderr).not.toContain(token);
    const unit = readFileSync(join(root, 'etc/systemd/system/kelvin-agent.service'), 'utf8');
    expect(unit).not.toContain(token);
    expect(unit).toMatch(/^ExecStart=\S+node\S* --lite-mode \S+main\.js agent --broker mqtt:\/\/manager\.lan:1883 .*--label zone=lab/m);
    const envFile = join(root, 'etc/kelvin/agent.env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(envFile, 'utf8')).toContain(`KELVIN_JOIN_TOKEN="${token}"`);

    const u = await runKelvin(['agent', 'uninstall', '--root', root]);
    expect(u.code).toBe(0);
    expect(u.stdout).toContain('Removed');
    const again = await runKelvin(['agent', 'uninstall', '--root', root]);
    expect(again.stdout).toContain('not installed');
  });

  it('refuses to install without a token', async () => {
    const env = { ...process.env };
    delete env.KELVIN_TOKEN;
    delete env.KELVIN_JOIN_TOKEN;
    const r = await runKelvin(['agent', 'install', '--root', join(dir, 'r2'), '--broker', 'mqtt://m:1883'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('kelvin: --token: required (or set KELVIN_JOIN_TOKEN)');
  });
});
