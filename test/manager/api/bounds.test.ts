/**
 * Bounds on what a client sends (shared/limits.ts), through the real HTTP API of a real manager:
 * each over-limit request is one 400 naming the field, and nothing is created.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../../../manager/api/index.js';
import { startManager, type RunningManager } from '../../../manager/manager.js';
import { MAX_CLUSTER_TASKS, MAX_CONSTRAINTS, MAX_ENV_BYTES, MAX_LABELS, MAX_PUBLISHED_PORTS, MAX_TASK_SPEC_BYTES } from '../../../shared/limits.js';
import { silentLogger } from '../../../shared/logger.js';
import { defaultServiceSpec, type ServiceSpec } from '../../../shared/service-spec.js';

let dir: string;
let manager: RunningManager;
let api: ApiServer;
let token: string;

async function call(method: string, path: string, body: unknown): Promise<{ status: number; message: string }> {
  const res = await fetch(`${api.url}/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: { message: string } };
  return { status: res.status, message: json.error?.message ?? '' };
}

function processSpec(name: string, patch: Partial<ServiceSpec> = {}): ServiceSpec {
  return { ...defaultServiceSpec(name), driver: 'process', command: ['/bin/true'], ...patch };
}

const many = (n: number, value: (i: number) => string): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`K${i}`, value(i)]));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-api-bounds-'));
  manager = await startManager({ dataDir: dir, mqttHost: '127.0.0.1', mqttPort: 0 }, { logger: silentLogger() });
  api = await startApi(manager, { host: '127.0.0.1', port: 0, brokerUrl: manager.mqttUrl, logger: silentLogger() });
  token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
});

afterAll(async () => {
  await api?.close();
  await manager?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('bounds on what a client sends', () => {
  it('refuses --replicas 1000000000 with a 400 naming replicas, creating nothing', async () => {
    const r = await call('POST', '/services', processSpec('huge', { replicas: 1_000_000_000 }));
    expect(r).toEqual({ status: 400, message: `replicas: over the cluster-wide limit of ${MAX_CLUSTER_TASKS} tasks` });
    const scale = await call('POST', '/services/nope/scale', { replicas: 1_000_000_000 });
    expect(scale).toEqual({ status: 400, message: `replicas: over the cluster-wide limit of ${MAX_CLUSTER_TASKS} tasks` });
    expect(manager.cluster.listServices()).toEqual([]);
    expect(manager.store.listTasks()).toEqual([]);
  });

  it('refuses labels, constraints, env and command over their limits with a 400 naming the field', async () => {
    const cases: Array<[Partial<ServiceSpec>, RegExp]> = [
      [{ labels: many(MAX_LABELS + 1, () => 'x') }, /^labels: 101 labels, over the limit of 100$/],
      [{ labels: { tier: 'x'.repeat(5000) } }, /^labels\.tier: value of 5000 characters, over the limit of 1024$/],
      [
        { placement: { constraints: Array.from({ length: MAX_CONSTRAINTS + 1 }, () => 'node.role==worker'), preferences: [], maxReplicasPerNode: 0 } },
        /^placement\.constraints: over the limit of 64 constraints$/,
      ],
      [{ env: many(30, () => 'v'.repeat(30_000)) }, new RegExp(`^env: \\d+ bytes in all, over the limit of ${MAX_ENV_BYTES}$`)],
      [{ env: { BIG: 'v'.repeat(900 * 1024) } }, /^env\.BIG: 921604 bytes, over the limit of 32768 per entry$/],
      [{ command: ['/bin/echo', 'a'.repeat(70_000)] }, /^command: \d+ bytes in all, over the limit of 65536$/],
      [{ ports: Array.from({ length: MAX_PUBLISHED_PORTS + 1 }, (_, i) => ({ published: 8000 + i, target: 80, protocol: 'tcp', mode: 'ingress' })) }, /^ports: over the limit of 64 published ports$/],
      [{ ports: [{ published: 70_000, target: 80, protocol: 'tcp', mode: 'ingress' }] }, /^ports\.0\.published: must be a port number \(1-65535\), or 0 for the manager to pick one$/],
    ];
    for (const [patch, message] of cases) {
      const r = await call('POST', '/services', processSpec('web', patch));
      expect(r.status, String(message)).toBe(400);
      expect(r.message).toMatch(message);
    }
    expect(manager.cluster.listServices()).toEqual([]);
  });

  it('refuses a service whose one task would not fit a desired set once JSON-escaped', async () => {
    // 60 KB of control characters: within the env limit as bytes, six times that as JSON (\u0001).
    const r = await call('POST', '/services', processSpec('escaped', { env: many(30, () => '\u0001'.repeat(2000)) }));
    expect(r.status).toBe(400);
    expect(r.message).toMatch(new RegExp(`^service escaped: one task takes \\d+ bytes in its node's desired set .*over the limit of ${MAX_TASK_SPEC_BYTES}$`));
  });

  it('keeps the cluster-wide cap across services: a stack over it is refused whole', async () => {
    const stack = (name: string, replicas: number): ServiceSpec => ({ ...processSpec(`edge_${name}`, { replicas }), stack: 'edge' });
    const r = await call('PUT', '/stacks/edge', { services: [stack('a', 60_000), stack('b', 50_000)] });
    expect(r.status).toBe(400);
    expect(r.message).toBe(`replicas: service edge_b (50000 replicas) would bring the cluster to 110000 tasks, over the cluster-wide limit of ${MAX_CLUSTER_TASKS} (60000 in other services)`);
    expect(manager.cluster.listServices()).toEqual([]); // not half-applied
  });

  it('refuses node labels over the limit, counting the labels the node has already', async () => {
    manager.store.registerNode('board-1', { secretHash: 'sha256:x', mosquittoHash: null }, 'worker');
    const tooMany = await call('POST', '/nodes/board-1/update', { labelAdd: many(MAX_LABELS + 1, () => 'x') });
    expect(tooMany).toEqual({ status: 400, message: 'labelAdd: 101 labels, over the limit of 100' });
    const tooLong = await call('POST', '/nodes/board-1/update', { labelAdd: { zone: 'z'.repeat(2000) } });
    expect(tooLong).toEqual({ status: 400, message: 'labelAdd.zone: value of 2000 characters, over the limit of 1024' });
    expect((await call('POST', '/nodes/board-1/update', { labelAdd: many(60, () => 'a') })).status).toBe(200);
    const more = await call('POST', '/nodes/board-1/update', { labelAdd: many(120, () => 'b') });
    expect(more.status).toBe(400);
    const sixty = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`L${i}`, 'b']));
    const over = await call('POST', '/nodes/board-1/update', { labelAdd: sixty });
    expect(over).toEqual({ status: 400, message: 'labelAdd: node board-1 would have 120 labels, over the limit of 100' });
    expect(Object.keys(manager.cluster.getNode('board-1').labels)).toHaveLength(60);
  });
});
