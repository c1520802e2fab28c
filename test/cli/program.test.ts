import { describe, expect, it } from 'vitest';
import { runKelvin } from '../helpers/cli.js';

describe('kelvin command', () => {
  it('lists every noun in --help', async () => {
    const r = await runKelvin(['--help']);
    expect(r.code).toBe(0);
    for (const noun of ['manager', 'agent', 'node', 'service', 'stack', 'secret', 'config', 'context', 'join-token', 'alerts', 'events', 'sim']) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${noun}\\b`, 'm'));
    }
  });

  it('prints the package version', async () => {
    const r = await runKelvin(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('rejects an unknown flag with one line and exit 2', async () => {
    const r = await runKelvin(['--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kelvin: unknown option '--no-such-flag'/);
  });
});
