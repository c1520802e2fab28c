import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyStack } from '../../manager/api/stacks.js';
import { Cluster } from '../../manager/cluster.js';
import { Store } from '../../manager/store/store.js';
import { ManualClock } from './orchestrator/harness.js';
import { MAX_PUBLISHED_PORTS } from '../../shared/limits.js';
import type { PublishedPort } from '../../shared/published-ports.js';
import { defaultServiceSpec, type ServiceSpec } from '../../shared/service-spec.js';

const clock = new ManualClock();
let dir: string;
let store: Store;
let cluster: Cluster;

function open(): void {
  store = Store.open(join(dir, 'kelvin.db'));
  cluster = new Cluster(store, clock);
}

const port = (published: number, target: number, over: Partial<PublishedPort> = {}): PublishedPort => ({ published, target, protocol: 'tcp', mode: 'ingress', ...over });
const spec = (name: string, ports: PublishedPort[], over: Partial<ServiceSpec> = {}): ServiceSpec => ({ ...defaultServiceSpec(name), image: 'nginx', ports, ...over });
const portsOf = (name: string): PublishedPort[] => cluster.getService(name).spec.ports;
const deploy = (stack: string, specs: ServiceSpec[]) =>
  applyStack(cluster, (fn) => store.transaction(fn), stack, specs.map((s) => ({ ...s, name: `${stack}_${s.name}`, stack })), { prune: true });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-ports-'));
  open();
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('published ports: conflicts', () => {
  it('refuses a port another service publishes, naming it, and creates nothing', () => {
    cluster.createService(spec('web', [port(8080, 80)]));
    expect(() => cluster.createService(spec('api', [port(9000, 90), port(8080, 3000)]))).toThrow(
      "service api: published port 8080/tcp is already in use by service 'web' as an ingress port",
    );
    expect(cluster.listServices().map((s) => s.name)).toEqual(['web']);
  });

  it('tells tcp and udp apart', () => {
    cluster.createService(spec('web', [port(53, 53)]));
    expect(cluster.createService(spec('dns', [port(53, 53, { protocol: 'udp' })])).spec.ports).toEqual([port(53, 53, { protocol: 'udp' })]);
  });

  it('lets two services share a host-mode port (the scheduler keeps them apart), but not with an ingress one', () => {
    cluster.createService(spec('a', [port(9100, 9100, { mode: 'host' })]));
    cluster.createService(spec('b', [port(9100, 9100, { mode: 'host' })]));
    expect(() => cluster.createService(spec('c', [port(9100, 80)]))).toThrow("service c: published port 9100/tcp is already in use by service 'a' as a host-mode port");
    cluster.createService(spec('d', [port(8080, 80)]));
    expect(() => cluster.createService(spec('e', [port(8080, 80, { mode: 'host' })]))).toThrow("service e: published port 8080/tcp is already in use by service 'd' as an ingress port");
  });

  it('refuses an update that takes another service port, and leaves the service as it was', () => {
    cluster.createService(spec('web', [port(8080, 80)]));
    const api = cluster.createService(spec('api', [port(9000, 90)]));
    expect(() => cluster.updateService('api', { spec: spec('api', [port(8080, 90)]) })).toThrow("service api: published port 8080/tcp is already in use by service 'web' as an ingress port");
    expect(cluster.getService('api')).toEqual(api);
    // Its own ports are not a conflict.
    expect(cluster.updateService('api', { spec: spec('api', [port(9000, 90)], { replicas: 2 }) }).spec.ports).toEqual([port(9000, 90)]);
  });

  it('refuses a port published twice in one spec, naming the entry', () => {
    expect(() => cluster.createService(spec('web', [port(8080, 80), port(8080, 81)]))).toThrow('invalid service spec at ports.1.published: port 8080/tcp is published twice');
  });
});

describe('published ports: assigned by the manager (published 0)', () => {
  it('gives the lowest free port from 30000-32767, skipping ports in use in either mode', () => {
    cluster.createService(spec('a', [port(30000, 80), port(30001, 80, { mode: 'host' })]));
    expect(cluster.createService(spec('b', [port(0, 80), port(0, 81), port(30002, 82)])).spec.ports).toEqual([port(30003, 80), port(30004, 81), port(30002, 82)]);
    expect(cluster.createService(spec('c', [port(0, 53, { protocol: 'udp' })])).spec.ports).toEqual([port(30000, 53, { protocol: 'udp' })]);
  });

  it('keeps the assigned port across manager restarts and updates that leave it to the manager again', () => {
    cluster.createService(spec('web', [port(0, 80)]));
    cluster.createService(spec('other', [port(0, 80)]));
    expect(portsOf('web')).toEqual([port(30000, 80)]);
    store.close();
    open();
    cluster.removeService('other'); // 30001 is free again, and lower ports too would not move web
    expect(cluster.updateService('web', { spec: spec('web', [port(0, 80), port(0, 443)], { replicas: 3 }) }).spec.ports).toEqual([port(30000, 80), port(30001, 443)]);
  });

  it('says so when the range is used up', () => {
    const many = Array.from({ length: MAX_PUBLISHED_PORTS }, (_, i) => port(0, i + 1));
    const full = Math.floor(2768 / MAX_PUBLISHED_PORTS);
    for (let i = 0; i < full; i++) cluster.createService(spec(`s${i}`, many));
    cluster.createService(spec('rest', many.slice(0, 2768 - full * MAX_PUBLISHED_PORTS)));
    expect(() => cluster.createService(spec('last', [port(0, 80)]))).toThrow(
      'service last: no port left in 30000-32767/tcp to publish target port 80 on; give it one with published=',
    );
  });
});

describe('published ports: stack deploy', () => {
  it('refuses a stack whose port another service holds, with nothing of the stack deployed', () => {
    cluster.createService(spec('web', [port(8080, 80)]));
    expect(() => deploy('shop', [spec('front', [port(8081, 80)]), spec('admin', [port(8080, 80)])])).toThrow(
      "service shop_admin: published port 8080/tcp is already in use by service 'web' as an ingress port",
    );
    expect(cluster.listServices().map((s) => s.name)).toEqual(['web']);
  });

  it('leaves an unchanged file unchanged, keeping assigned ports', () => {
    const file = [spec('front', [port(0, 80)])];
    expect(deploy('shop', file).created).toEqual(['shop_front']);
    expect(deploy('shop', file)).toEqual({ created: [], updated: [], removed: [], unchanged: ['shop_front'], kept: [] });
    expect(portsOf('shop_front')).toEqual([port(30000, 80)]);
  });

  it('moves a port from one service of the stack to another in one deploy', () => {
    deploy('shop', [spec('old', [port(8080, 80)]), spec('front', [port(8081, 80)])]);
    expect(deploy('shop', [spec('front', [port(8081, 80)]), spec('new', [port(8080, 80)])])).toEqual({ created: ['shop_new'], updated: [], removed: ['shop_old'], unchanged: ['shop_front'], kept: [] });
    // front takes 8080 from new, which goes first although the file lists it last.
    expect(deploy('shop', [spec('front', [port(8080, 80)]), spec('new', [])])).toEqual({ created: [], updated: ['shop_new', 'shop_front'], removed: [], unchanged: [], kept: [] });
    expect(portsOf('shop_front')).toEqual([port(8080, 80)]);
  });
});
