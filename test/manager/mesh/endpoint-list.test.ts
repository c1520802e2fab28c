import { describe, expect, it } from 'vitest';
import { computeEndpointList } from '../../../manager/mesh/endpoint-list.js';
import { TaskEndpoints } from '../../../manager/mesh/task-endpoints.js';
import type { NodeMessage } from '../../../manager/broker/inbound.js';
import { newTask } from '../../../manager/orchestrator/task-factory.js';
import type { ServiceRecord, TaskRecord } from '../../../manager/store/records.js';
import { meshAddress } from '../../../shared/payloads/endpoints.js';
import { taskStatus, type TaskStatus } from '../../../shared/payloads/tasks.js';
import { defaultServiceSpec } from '../../../shared/service-spec.js';

const web: ServiceRecord = {
  id: 'svc-web',
  name: 'web',
  spec: { ...defaultServiceSpec('web'), ports: [{ published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' }] },
  version: 1,
  forceUpdate: 0,
  previousSpec: null,
  updateStatus: null,
  vip: null,
  createdAt: 0,
  updatedAt: 0,
};
const quiet: ServiceRecord = { ...web, id: 'svc-quiet', name: 'quiet', spec: defaultServiceSpec('quiet') };

function task(nodeId: string, patch: Partial<TaskRecord> = {}): TaskRecord {
  return { ...newTask(web, 1, nodeId, 0), state: 'running', ...patch };
}

function status(t: TaskRecord, patch: Partial<TaskStatus> = {}): NodeMessage {
  const payload: TaskStatus = {
    v: 1, taskId: t.id, generation: 1, state: 'running', exitCode: null, signal: null, error: null, message: '', runtimeId: null,
    throttled: false, ts: 0, startedAt: 0, finishedAt: null, addr: '10.0.0.1', ports: [{ target: 80, protocol: 'tcp', hostPort: 40001 }], ...patch,
  };
  return { scope: 'node', nodeId: t.nodeId ?? '', kind: 'task-status', payload };
}

/** What each board gave as its advertise address in its facts. */
const ADVERTISED: Record<string, string> = { 'pi-a': '10.0.0.1', 'pi-b': '10.0.0.2' };

function setup(tasks: TaskRecord[], heat: Record<string, 'normal' | 'hot'> = {}) {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const endpoints = new TaskEndpoints((id) => byId.get(id) ?? null, { advertisedAddr: (nodeId) => ADVERTISED[nodeId] ?? null });
  const list = () =>
    computeEndpointList({
      services: () => [web, quiet],
      runningTasksOf: (serviceId) => tasks.filter((t) => t.serviceId === serviceId && t.desiredState === 'running'),
      endpoints,
      policy: (nodeId) => ({ thermal: { state: heat[nodeId] ?? 'normal', cpuTempC: null, limits: null }, power: { state: 'stable', underVoltageNow: null, brownouts: 0 } }),
    });
  return { endpoints, list };
}

describe('endpoint list', () => {
  it("carries each service's virtual address and its expose ports, and lists a service that only exposes", () => {
    const api: ServiceRecord = { ...web, id: 'svc-api', name: 'api', vip: '10.213.0.2', spec: { ...defaultServiceSpec('api'), expose: [{ target: 9000, protocol: 'tcp' }] } };
    const t = { ...newTask(api, 1, 'pi-a', 0), state: 'running' as const };
    expect(t.spec.expose).toEqual([{ target: 9000, protocol: 'tcp' }]);
    const endpoints = new TaskEndpoints(() => t, { advertisedAddr: (nodeId) => ADVERTISED[nodeId] ?? null });
    endpoints.handle(status(t, { ports: [{ target: 9000, protocol: 'tcp', hostPort: 40009 }] }));
    const got = computeEndpointList({
      services: () => [{ ...web, vip: '10.213.0.1' }, api, quiet],
      runningTasksOf: (id) => (id === api.id ? [t] : []),
      endpoints,
      policy: () => ({ thermal: { state: 'normal', cpuTempC: null, limits: null }, power: { state: 'stable', underVoltageNow: null, brownouts: 0 } }),
    });
    expect(got.services.map((s) => [s.name, s.vip, s.expose ?? []])).toEqual([
      ['api', '10.213.0.2', [{ target: 9000, protocol: 'tcp' }]],
      ['web', '10.213.0.1', []],
    ]);
    expect(got.services[0]?.ports).toEqual([]);
    expect(got.services[0]?.endpoints[0]?.ports).toEqual([{ target: 9000, protocol: 'tcp', hostPort: 40009 }]);
  });

  it("lists a service that declares no ports while a task reports bound ports (its image's EXPOSE), with its virtual address", () => {
    const db: ServiceRecord = { ...quiet, id: 'svc-db', name: 'db', vip: '10.213.0.3' };
    const t = { ...newTask(db, 1, 'pi-a', 0), state: 'running' as const };
    const draining = { ...newTask(db, 1, 'pi-a', 0), state: 'running' as const, desiredState: 'shutdown' as const };
    const byId = new Map([t, draining].map((x) => [x.id, x]));
    const endpoints = new TaskEndpoints((id) => byId.get(id) ?? null, { advertisedAddr: (nodeId) => ADVERTISED[nodeId] ?? null });
    const list = () =>
      computeEndpointList({
        services: () => [db, quiet],
        runningTasksOf: (id) => (id === db.id ? [...byId.values()] : []),
        endpoints,
        policy: () => ({ thermal: { state: 'normal', cpuTempC: null, limits: null }, power: { state: 'stable', underVoltageNow: null, brownouts: 0 } }),
      });
    expect(list().services).toEqual([]);
    endpoints.handle(status(t, { ports: [{ target: 5432, protocol: 'tcp', hostPort: 40032 }] }));
    expect(list().services).toEqual([
      { id: 'svc-db', name: 'db', stack: null, ports: [], vip: '10.213.0.3', endpoints: [{ taskId: t.id, nodeId: 'pi-a', addr: '10.0.0.1', ports: [{ target: 5432, protocol: 'tcp', hostPort: 40032 }] }] },
    ]);
    // A task about to stop gets no connections, but keeps the service (and its address on the boards) listed until it ends.
    endpoints.handle(status(t, { state: 'complete' }));
    endpoints.handle(status(draining, { ports: [{ target: 5432, protocol: 'tcp', hostPort: 40033 }] }));
    expect(list().services.map((s) => [s.name, s.endpoints.length])).toEqual([['db', 0]]);
    endpoints.handle(status(draining, { state: 'shutdown' }));
    expect(list().services).toEqual([]);
  });

  it('lists running tasks of services with published ports where their boards said they listen, with each board heat', () => {
    const a = task('pi-a');
    const b = task('pi-b');
    const { endpoints, list } = setup([a, b], { 'pi-b': 'hot' });
    endpoints.handle(status(a));
    endpoints.handle(status(b, { addr: '10.0.0.2' }));
    const got = list();
    expect(got.services.map((s) => s.name)).toEqual(['web']);
    expect(new Map(got.services[0]?.endpoints.map((e) => [e.nodeId, e.addr]))).toEqual(new Map([['pi-a', '10.0.0.1'], ['pi-b', '10.0.0.2']]));
    expect(got.nodes).toEqual([
      { id: 'pi-a', heat: 'normal', power: 'stable' },
      { id: 'pi-b', heat: 'hot', power: 'stable' },
    ]);
  });

  it('leaves out a task about to stop, one not running, one unhealthy, and one whose report came from another node', () => {
    const stopping = task('pi-a', { desiredState: 'shutdown' });
    const starting = task('pi-a', { state: 'starting' });
    const unhealthy = task('pi-a', { health: 'unhealthy' });
    const foreign = task('pi-b');
    const { endpoints, list } = setup([stopping, starting, unhealthy, foreign]);
    for (const t of [stopping, starting, unhealthy]) endpoints.handle(status(t));
    endpoints.handle({ ...status(foreign), nodeId: 'pi-evil' });
    expect(list().services[0]?.endpoints).toEqual([]);
  });

  it('forgets a task that reported its end', () => {
    const a = task('pi-a');
    const { endpoints, list } = setup([a]);
    endpoints.handle(status(a));
    endpoints.handle(status(a, { state: 'failed' }));
    expect(list().services[0]?.endpoints).toEqual([]);
  });
});

describe('endpoint addresses', () => {
  it('lists a task only at the address its board advertised, and drops one that names another, counted', () => {
    const honest = task('pi-a');
    const hostile = task('pi-b');
    const unknown = task('pi-new');
    const rejected: string[] = [];
    const byId = new Map([honest, hostile, unknown].map((t) => [t.id, t]));
    const endpoints = new TaskEndpoints((id) => byId.get(id) ?? null, {
      advertisedAddr: (nodeId) => ADVERTISED[nodeId] ?? null,
      rejected: (nodeId, addr, advertised) => rejected.push(`${nodeId} ${addr} ${advertised}`),
    });
    endpoints.handle(status(honest));
    endpoints.handle(status(hostile, { addr: '10.0.0.9' }));
    endpoints.handle(status(unknown));
    expect(endpoints.of(honest)?.addr).toBe('10.0.0.1');
    expect(endpoints.of(hostile)).toBeNull();
    expect(endpoints.of(unknown)).toBeNull();
    expect(rejected).toEqual(['pi-b 10.0.0.9 10.0.0.2', 'pi-new 10.0.0.1 null']);
    // A task listed at the right address that then names another is forgotten, not kept at the old one.
    endpoints.handle(status(honest, { addr: '10.0.0.2' }));
    expect(endpoints.of(honest)).toBeNull();
  });

  it('refuses addresses no board can be reached at, in task status and facts alike', () => {
    for (const addr of ['0.0.0.0', '0.1.2.3', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255', '::', 'ff02::1']) {
      expect(meshAddress.safeParse(addr).success, addr).toBe(false);
      expect(taskStatus.safeParse({ ...status(task('pi-a')).payload, addr }).success, addr).toBe(false);
    }
    for (const addr of ['10.0.0.1', '127.0.0.11', '198.18.0.2', '::1', 'fe80::1']) expect(meshAddress.safeParse(addr).success, addr).toBe(true);
  });
});
