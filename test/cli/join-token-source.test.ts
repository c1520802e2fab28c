/** KELVIN_JOIN_TOKEN for agents, KELVIN_TOKEN for the admin API: the split and its old meaning. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { joinTokenFrom, looksLikeAdminToken } from '../../agent/join-token-source.js';
import { randomToken } from '../../manager/broker/secrets.js';
import { runKelvin } from '../helpers/cli.js';

const JOIN = 'KLVN-1-abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst-secretpart';
const ADMIN = randomToken(32);

describe('joinTokenFrom', () => {
  it('recognises the admin token the manager makes', () => {
    expect(looksLikeAdminToken(ADMIN)).toBe(true);
    expect(looksLikeAdminToken(JOIN)).toBe(false);
  });

  it('prefers --token, then KELVIN_JOIN_TOKEN, then KELVIN_TOKEN with one deprecation line', () => {
    const warnings: string[] = [];
    const warn = (l: string): void => void warnings.push(l);
    expect(joinTokenFrom('flag', { KELVIN_JOIN_TOKEN: 'j', KELVIN_TOKEN: 'k' }, warn)).toBe('flag');
    expect(joinTokenFrom(undefined, { KELVIN_JOIN_TOKEN: 'j', KELVIN_TOKEN: ADMIN }, warn)).toBe('j');
    expect(warnings).toEqual([]);
    expect(joinTokenFrom(undefined, { KELVIN_TOKEN: JOIN }, warn)).toBe(JOIN);
    expect(warnings).toEqual(["kelvin: warning: the join token in KELVIN_TOKEN is deprecated (KELVIN_TOKEN is the CLI's admin token); set KELVIN_JOIN_TOKEN instead"]);
    expect(joinTokenFrom(undefined, {}, warn)).toBeUndefined();
  });

  it('refuses the admin token wherever it is given, naming where', () => {
    for (const [flag, env, where] of [
      [ADMIN, {}, '--token'],
      [undefined, { KELVIN_JOIN_TOKEN: ADMIN }, 'KELVIN_JOIN_TOKEN'],
      [undefined, { KELVIN_TOKEN: ADMIN }, 'KELVIN_TOKEN'],
    ] as const) {
      expect(() => joinTokenFrom(flag, env)).toThrow(`${where}: this is the manager's admin token`);
    }
  });
});

describe('kelvin agent with the wrong token', () => {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'kelvin-token-split-')), 'state');
  afterAll(() => rmSync(join(stateDir, '..'), { recursive: true, force: true }));
  const env = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
    const e = { ...process.env, ...extra };
    if (!('KELVIN_JOIN_TOKEN' in extra)) delete e.KELVIN_JOIN_TOKEN;
    return e;
  };

  it('exits at once with one line when given the admin token, instead of retrying the broker', async () => {
    const r = await runKelvin(['agent', '--broker', 'mqtt://127.0.0.1:1', '--state-dir', stateDir], { env: env({ KELVIN_TOKEN: ADMIN }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "kelvin: KELVIN_TOKEN: this is the manager's admin token (for the CLI, in KELVIN_TOKEN); an agent joins with the join token: kelvin join-token -q, given as --token or KELVIN_JOIN_TOKEN\n",
    );
  });

  it('still takes a join token from KELVIN_TOKEN, warning once on stderr', async () => {
    const r = await runKelvin(['agent', '--print-mqtt-credentials', '--state-dir', stateDir], { env: env({ KELVIN_TOKEN: JOIN }) });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("kelvin: warning: the join token in KELVIN_TOKEN is deprecated (KELVIN_TOKEN is the CLI's admin token); set KELVIN_JOIN_TOKEN instead\n");
    expect(r.stdout).toMatch(/^username: /);
  });
});
