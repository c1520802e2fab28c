import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cluster } from '../../manager/cluster.js';
import { Store } from '../../manager/store/store.js';
import { parseVipRange, type VipRange } from '../../manager/vip-allocator.js';
import { defaultServiceSpec } from '../../shared/service-spec.js';
import { ManualClock } from './orchestrator/harness.js';

const clock = new ManualClock();
let dir: string;
let store: Store;

function open(range = '10.213.0.0/16'): Cluster {
  store = Store.open(join(dir, 'kelvin.db'));
  return new Cluster(store, clock, null, parseVipRange(range) as VipRange);
}

const create = (cluster: Cluster, name: string) => cluster.createService({ ...defaultServiceSpec(name), image: 'nginx' });

beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kelvin-vip-'))));
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('service virtual addresses', () => {
  it('gives each service its own address from the range, kept across a manager restart', () => {
    let cluster = open();
    expect([create(cluster, 'a').vip, create(cluster, 'b').vip, create(cluster, 'c').vip]).toEqual(['10.213.0.1', '10.213.0.2', '10.213.0.3']);
    store.close();
    cluster = open();
    expect(cluster.listServices().map((s) => [s.name, s.vip])).toEqual([
      ['a', '10.213.0.1'],
      ['b', '10.213.0.2'],
      ['c', '10.213.0.3'],
    ]);
  });

  it('frees the address on service rm, and never hands one out twice', () => {
    const cluster = open();
    for (const name of ['a', 'b', 'c']) create(cluster, name);
    cluster.removeService('b');
    expect(create(cluster, 'd').vip).toBe('10.213.0.2');
    expect(create(cluster, 'e').vip).toBe('10.213.0.4');
    const vips = cluster.listServices().map((s) => s.vip);
    expect(new Set(vips).size).toBe(vips.length);
  });

  it('refuses a service when the range is used up, naming the range and the flag', () => {
    const cluster = open('10.99.0.0/30'); // two usable addresses
    create(cluster, 'a');
    create(cluster, 'b');
    expect(() => create(cluster, 'c')).toThrow('no free virtual address left in 10.99.0.0/30 (--vip-range): remove a service, or start the manager with a larger range');
    expect(cluster.listServices().map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('gives services stored by an older manager (no address) one at start', () => {
    const cluster = open();
    create(cluster, 'a');
    const old = create(cluster, 'b');
    store.updateService(old.id, { vip: null });
    cluster.assignMissingVips();
    expect(cluster.getService('b').vip).toBe('10.213.0.2');
  });

  it('takes only IPv4 ranges /8 to /30 outside 127.0.0.0/8', () => {
    expect(parseVipRange('10.213.7.9/16')).toEqual({ text: '10.213.0.0/16', first: (10 * 256 + 213) * 65536 + 1, last: (10 * 256 + 214) * 65536 - 2 });
    expect(parseVipRange('10.0.0.0/31')).toBe("'10.0.0.0/31' is not an IPv4 range from /8 to /30, such as 10.213.0.0/16");
    expect(parseVipRange('fd00::/64')).toMatch(/is not an IPv4 range/);
    expect(parseVipRange('127.5.0.0/16')).toBe("'127.5.0.0/16' is inside 127.0.0.0/8, which the services' loopback addresses use");
  });
});
