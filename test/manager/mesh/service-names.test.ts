import { describe, expect, it } from 'vitest';
import { desiredTasks } from '../../../manager/dispatcher/desired-set.js';
import { hostsLookup, hostsOf } from '../../../manager/mesh/service-names.js';
import { newTask } from '../../../manager/orchestrator/task-factory.js';
import type { ServiceRecord } from '../../../manager/store/records.js';
import { defaultServiceSpec, type ServiceSpec } from '../../../shared/service-spec.js';

let n = 0;
function service(name: string, over: Partial<ServiceSpec> = {}): ServiceRecord {
  n++;
  const spec = { ...defaultServiceSpec(name), image: 'img', expose: [{ target: 80, protocol: 'tcp' as const }], ...over };
  return { id: `svc-${name}`, name, spec, version: 1, forceUpdate: 0, previousSpec: null, updateStatus: null, vip: `10.213.0.${n}`, createdAt: 0, updatedAt: 0 };
}

const inStack = (stack: string, name: string, over: Partial<ServiceSpec> = {}) => service(`${stack}_${name}`, { stack, ...over });

describe('names a task reaches services by', () => {
  const web = inStack('shop', 'web', { networks: ['front'] });
  const api = inStack('shop', 'api', { networks: ['front', 'back'] });
  const db = inStack('shop', 'db', { networks: ['back'] });
  const cache = inStack('shop', 'cache'); // no networks: the stack's default
  const worker = inStack('shop', 'worker', { networks: ['default'] });
  const other = inStack('blog', 'api');
  const plain = service('registry');
  const silent = service('silent', { expose: [], ports: [] });
  const hidden = { ...service('hidden'), vip: null };
  const all = [web, api, db, cache, worker, other, plain, silent, hidden];
  const names = (s: ServiceRecord) => hostsOf(s, all).map((h) => h.name);

  it('inside a stack: the services sharing a network by compose and full name, plus services outside stacks', () => {
    expect(names(web)).toEqual(['api', 'registry', 'shop_api', 'shop_web', 'silent', 'web']);
    expect(hostsOf(web, all).find((h) => h.name === 'api')?.vip).toBe(api.vip);
    expect(names(api)).toEqual(['api', 'db', 'registry', 'shop_api', 'shop_db', 'shop_web', 'silent', 'web']);
  });

  it('services without networks are on the default network, and services sharing none never see each other', () => {
    expect(names(cache)).toEqual(['cache', 'registry', 'shop_cache', 'shop_worker', 'silent', 'worker']);
    expect(names(db)).not.toContain('web');
    expect(names(web)).not.toContain('db');
  });

  it('outside a stack: services outside stacks by full name only, and only services with a virtual address', () => {
    expect(names(plain)).toEqual(['registry', 'silent']);
    expect(names(other)).toEqual(['api', 'blog_api', 'registry', 'silent']);
    expect(names(hidden)).not.toContain('hidden');
  });

  it('names a service that declares no ports: its image may EXPOSE some (redis, postgres), as in the voting app', () => {
    const db = inStack('vote', 'db', { expose: [], ports: [] });
    const worker = inStack('vote', 'worker', { expose: [], ports: [] });
    const vote = [db, worker];
    expect(hostsOf(worker, vote)).toEqual([
      { name: 'db', vip: db.vip },
      { name: 'vote_db', vip: db.vip },
      { name: 'vote_worker', vip: worker.vip },
      { name: 'worker', vip: worker.vip },
    ]);
    expect(names(silent)).toEqual(['registry', 'silent']);
  });

  it('go into each task of the desired set', () => {
    const task = { ...newTask(web, 1, 'pi-a', 0), state: 'running' as const };
    const [spec] = desiredTasks([task], 'pi-a', () => null, hostsLookup(() => all));
    expect(spec?.hosts?.map((h) => `${h.name}:${h.vip}`)).toContain(`api:${api.vip}`);
    const [none] = desiredTasks([{ ...newTask(hidden, 1, 'pi-a', 0), state: 'running' }], 'pi-a', () => null, hostsLookup(() => [hidden]));
    expect(none).not.toHaveProperty('hosts');
  });
});
