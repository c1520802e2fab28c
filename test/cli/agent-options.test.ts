import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOnceOptions, parseRunOptions } from '../../agent/options.js';
import { usageMessage } from '../helpers/usage-error.js';

const base = { broker: 'mqtt://127.0.0.1:1883', token: 'tok123', label: [] as string[] };
const dir = mkdtempSync(join(tmpdir(), 'kelvin-opts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseRunOptions', () => {
  it('fills the documented defaults', () => {
    const o = parseRunOptions(base, {});
    expect(o).toMatchObject({
      broker: 'mqtt://127.0.0.1:1883',
      token: 'tok123',
      name: null,
      labels: {},
      stateDir: '/var/lib/kelvin-agent',
      hostRoot: '/',
      intervalMs: 1000,
      keepaliveS: 10,
      hwProfilesDir: null,
      dockerSocket: '/var/run/docker.sock',
      caFile: null,
      factsIntervalMs: 60_000,
    });
  });

  it('parses durations, labels and the docker socket', () => {
    const o = parseRunOptions(
      { ...base, interval: '500ms', keepalive: '2s', label: ['zone=kitchen', 'rack=a=b'], dockerHost: 'unix:///run/d.sock', name: 'pi-1' },
      {},
    );
    expect(o.intervalMs).toBe(500);
    expect(o.keepaliveS).toBe(2);
    expect(o.labels).toEqual({ zone: 'kitchen', rack: 'a=b' });
    expect(o.dockerSocket).toBe('/run/d.sock');
    expect(o.name).toBe('pi-1');
    expect(parseRunOptions({ ...base, factsInterval: '2s' }, {}).factsIntervalMs).toBe(2000);
  });

  it('takes the token from KELVIN_JOIN_TOKEN when --token is absent', () => {
    expect(parseRunOptions({ broker: base.broker }, { KELVIN_JOIN_TOKEN: 'from-env' }).token).toBe('from-env');
  });

  it.each([
    [{ interval: 'fast' }, "--interval: 'fast' is not a duration between 100ms and 1h (e.g. 1s)"],
    [{ interval: '10ms' }, "--interval: '10ms' is not a duration between 100ms and 1h (e.g. 1s)"],
    [{ keepalive: '1500ms' }, '--keepalive: must be a whole number of seconds'],
    [{ factsInterval: '100ms' }, "--facts-interval: '100ms' is not a duration between 1s and 1h (e.g. 1m)"],
    [{ broker: 'http://x:1883' }, '--broker: must be mqtt://HOST[:PORT] or mqtts://HOST[:PORT]'],
    [{ token: 'has:colon' }, '--token: must not be empty or contain spaces or ":"'],
    [{ token: undefined }, '--token: required (or set KELVIN_JOIN_TOKEN)'],
    [{ label: ['novalue'] }, "--label: 'novalue' is not key=value"],
    [{ dockerHost: 'tcp://1.2.3.4:2375' }, "--docker-host: 'tcp://1.2.3.4:2375' is not a unix:// socket URL"],
    [{ hostRoot: '/no/such/dir' }, '--host-root: no such directory'],
    [{ ca: '/etc/hostname' }, '--ca: only applies to an mqtts:// broker'],
    [{ broker: undefined }, '--broker: required'],
    [{ advertiseAddr: 'pi-1.local' }, '--advertise-addr: must be an IPv4 or IPv6 address of this board'],
    [{ advertiseAddr: '0.0.0.0' }, '--advertise-addr: must be an address other boards can reach (not 0.0.0.0/8, multicast, reserved or broadcast)'],
  ])('rejects %j naming the flag', (override, message) => {
    expect(usageMessage(() => parseRunOptions({ ...base, ...override }, {}))).toContain(message);
  });

  it('accepts --ca with an mqtts:// broker and resolves it to an absolute path', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'pem');
    const o = parseRunOptions({ ...base, broker: 'mqtts://manager.lan:8883', ca }, {});
    expect(o.caFile).toBe(ca);
  });
});

describe('parseOnceOptions', () => {
  it('needs no broker or token', () => {
    const o = parseOnceOptions({ json: true, label: ['gpu=yes'] }, {});
    expect(o.json).toBe(true);
    expect(o.labels).toEqual({ gpu: 'yes' });
  });

  it('uses DOCKER_HOST when it names a unix socket', () => {
    expect(parseOnceOptions({ label: [] }, { DOCKER_HOST: 'unix:///tmp/docker.sock' }).dockerSocket).toBe('/tmp/docker.sock');
  });
});
