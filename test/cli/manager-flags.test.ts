/** `kelvin manager` heat/power and TLS flags: a bad value is one line naming the flag, exit 2, nothing started. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKelvin } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kelvin-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manager = (...flags: string[]): ReturnType<typeof runKelvin> =>
  runKelvin(['manager', '--no-agent', '--data-dir', dir, '--mqtt-port', '0', '--http', '127.0.0.1:0', ...flags]);

describe('kelvin manager heat and power flags', () => {
  it.each([
    [['--alert-webhook', 'http://127.0.0.1:9/ok', '--alert-webhook', 'ftp://x'], "kelvin: --alert-webhook 'ftp://x': alert webhook must be an http:// or https:// URL\n"],
    [['--thermal-sustain', 'soon'], "kelvin: --thermal-sustain: 'soon' is not a duration (e.g. 10s, 5m)\n"],
    [['--thermal-hold', '-1s'], "kelvin: --thermal-hold: '-1s' is not a duration (e.g. 10s, 5m)\n"],
    [['--power-stable', '5 minutes'], "kelvin: --power-stable: '5 minutes' is not a duration (e.g. 10s, 5m)\n"],
    [['--tls-san', 'manager.lan', '--tls-san', 'bad name'], "kelvin: --tls-san 'bad name': must be an IP address or a DNS name\n"],
    [['--vip-range', '10.0.0.0/31'], "kelvin: --vip-range: '10.0.0.0/31' is not an IPv4 range from /8 to /30, such as 10.213.0.0/16\n"],
    [['--vip-range', '127.9.0.0/16'], "kelvin: --vip-range: '127.9.0.0/16' is inside 127.0.0.0/8, which the services' loopback addresses use\n"],
  ])('%j', async (flags, stderr) => {
    expect(await manager(...flags)).toMatchObject({ code: 2, stdout: '', stderr });
  });
});
