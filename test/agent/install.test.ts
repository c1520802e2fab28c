import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installAgent, uninstallAgent } from '../../agent/install/index.js';
import { quoteSystemdArg } from '../../agent/install/systemd-unit.js';
import { parseRunOptions } from '../../agent/options.js';

const TOKEN = 'sEcReT-join-token-42';
const COMMAND = { node: process.execPath, cli: '/opt/kelvin/dist/cli/main.js' };

function hasSystemdAnalyze(): boolean {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('kelvin agent install / uninstall under a root', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kelvin-install-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const options = () =>
    parseRunOptions(
      { broker: 'mqtt://manager.lan:1883', label: ['zone=kitchen shelf', 'cost=100%'], name: 'pi-7', interval: '2s', keepalive: '5s' },
      { KELVIN_JOIN_TOKEN: TOKEN },
    );

  it('writes a unit that runs the agent with the given flags and restarts it always', () => {
    const files = installAgent(options(), COMMAND, root);
    expect(files.unitFile).toBe(join(root, 'etc/systemd/system/kelvin-agent.service'));
    const unit = readFileSync(files.unitFile, 'utf8');
    expect(unit).toContain('Restart=always');
    expect(unit).toMatch(/^After=network-online\.target docker\.service$/m);
    expect(unit).toContain('EnvironmentFile=/etc/kelvin/agent.env');
    expect(unit).toContain('KillMode=process');
    expect(unit).toContain('WantedBy=multi-user.target');
    const execStart = unit.split('\n').find((l) => l.startsWith('ExecStart='));
    expect(execStart).toBe(
      `ExecStart=${process.execPath} --lite-mode /opt/kelvin/dist/cli/main.js agent --broker mqtt://manager.lan:1883 --state-dir /var/lib/kelvin-agent ` +
        '--name pi-7 --label "zone=kitchen shelf" --label cost=100%% --interval 2s --keepalive 5s',
    );
  });

  it('keeps the token out of the unit and in a mode 600 env file', () => {
    const files = installAgent(options(), COMMAND, root);
    expect(readFileSync(files.unitFile, 'utf8')).not.toContain(TOKEN);
    expect(statSync(files.envFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(files.envFile, 'utf8')).toMatch(new RegExp(`^KELVIN_JOIN_TOKEN="${TOKEN}"$`, 'm'));
  });

  it('re-installing over a loosened env file makes it private again', () => {
    const files = installAgent(options(), COMMAND, root);
    execFileSync('chmod', ['644', files.envFile]);
    installAgent(options(), COMMAND, root);
    expect(statSync(files.envFile).mode & 0o777).toBe(0o600);
  });

  it('escapes characters systemd would expand in the env file', () => {
    const o = { ...options(), token: 'a"b$c\\d`e' };
    const files = installAgent(o, COMMAND, root);
    expect(readFileSync(files.envFile, 'utf8')).toContain('KELVIN_JOIN_TOKEN="a\\"b\\$c\\\\d\\`e"');
  });

  it.skipIf(!hasSystemdAnalyze())('writes a unit systemd-analyze accepts', () => {
    const files = installAgent(options(), COMMAND, root);
    // verify resolves EnvironmentFile only at start; the unit syntax and ExecStart are what it checks.
    const out = execFileSync('systemd-analyze', ['verify', files.unitFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    expect(out).toBe('');
  });

  it('uninstall removes the unit, its enable link and the env file', () => {
    const files = installAgent(options(), COMMAND, root);
    const wants = join(root, 'etc/systemd/system/multi-user.target.wants');
    mkdirSync(wants, { recursive: true });
    symlinkSync(files.unitFile, join(wants, 'kelvin-agent.service'));
    const removed = uninstallAgent(root);
    expect(removed).toHaveLength(3);
    expect(existsSync(files.unitFile)).toBe(false);
    expect(existsSync(files.envFile)).toBe(false);
    expect(uninstallAgent(root)).toEqual([]);
  });

  it('uninstall leaves other files in /etc/kelvin alone', () => {
    const files = installAgent(options(), COMMAND, root);
    writeFileSync(join(root, 'etc/kelvin/other.conf'), 'x');
    uninstallAgent(root);
    expect(existsSync(files.envFile)).toBe(false);
    expect(existsSync(join(root, 'etc/kelvin/other.conf'))).toBe(true);
  });
});

describe('quoteSystemdArg', () => {
  it.each([
    ['/usr/bin/node', '/usr/bin/node'],
    ['a b', '"a b"'],
    ['50%', '50%%'],
    ['$HOME', '$$HOME'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
  ])('%j -> %j', (arg, quoted) => {
    expect(quoteSystemdArg(arg)).toBe(quoted);
  });
});
