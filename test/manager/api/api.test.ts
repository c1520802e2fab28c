import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../../../manager/api/index.js';
import { startManager, type RunningManager } from '../../../manager/manager.js';
import { defaultServiceSpec, type ServiceSpec } from '../../../shared/service-spec.js';
import { silentLogger } from '../../../shared/logger.js';

let dir: string;
let manager: RunningManager;
let api: ApiServer;
let token: string;

function call(method: string, path: string, options: { body?: unknown; raw?: string; token?: string | null } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const t = options.token === undefined ? token : options.token;
  if (t !== null) headers.authorization = `Bearer ${t}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return fetch(`${api.url}/v1${path}`, { method, headers, body });
}

function processSpec(name: string, patch: Partial<ServiceSpec> = {}): ServiceSpec {
  return { ...defaultServiceSpec(name), driver: 'process', command: ['/bin/true'], ...patch };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-api-'));
  manager = await startManager({ dataDir: dir, mqttHost: '127.0.0.1', mqttPort: 0, insecureMqtt: true }, { logger: silentLogger() });
  api = await startApi(manager, { host: '127.0.0.1', port: 0, brokerUrl: manager.mqttUrl, logger: silentLogger() });
  token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
});

afterAll(async () => {
  await api?.close();
  await manager?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP API', () => {
  it('updates a service with a whole spec at the version read, refuses a stale version, and rolls back', async () => {
    await call('POST', '/services', { body: processSpec('upd', { env: { V: '1' } }) });
    const noPrevious = await call('POST', '/services/upd/rollback', { body: {} });
    expect(noPrevious.status).toBe(400);
    expect(((await noPrevious.json()) as { error: { message: string } }).error.message).toBe('service upd has no previous spec to roll back to (it was never updated)');
    const updated = await call('POST', '/services/upd/update', { body: { spec: processSpec('upd', { env: { V: '2' } }), version: 1 } });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ version: 2, spec: { env: { V: '2' } }, previousSpec: { env: { V: '1' } } });
    const stale = await call('POST', '/services/upd/update', { body: { spec: processSpec('upd', { env: { V: '3' } }), version: 1 } });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toMatch(/^service upd changed since it was read \(version 2, not 1\)/);
    const back = await call('POST', '/services/upd/rollback', { body: {} });
    expect(await back.json()).toMatchObject({ version: 3, spec: { env: { V: '1' } }, updateStatus: { state: expect.stringMatching(/^rollback_/), message: expect.any(String) } });
    await call('DELETE', '/services/upd');
  });

  it('refuses a request without a token, or with a wrong one, with 401 and the error shape', async () => {
    const missing = await call('GET', '/nodes', { token: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringMatching(/Authorization/) } });
    const wrong = await call('GET', '/nodes', { token: 'not-the-token' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe('invalid admin token');
  });

  it('answers with the right token', async () => {
    const res = await call('GET', '/nodes');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });

  it('refuses a bad body with 400 naming the field', async () => {
    const res = await call('POST', '/services', { body: processSpec('web', { replicas: -1 }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toMatch(/^replicas: /);
    const notJson = await call('POST', '/services', { raw: '{"name":' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
  });

  it('refuses a bad constraint with 400 naming the expression and position', async () => {
    const res = await call('POST', '/services', { body: processSpec('gpu', { placement: { constraints: ['node.labels.gpu=~true'], preferences: [], maxReplicasPerNode: 0 } }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/node\.labels\.gpu=~true.*position \d+/);
  });

  it('answers 404 for unknown nodes, services and tasks', async () => {
    for (const path of ['/nodes/nope', '/services/nope', '/tasks/nope', '/tasks/nope/logs', '/stacks/nope/services', '/no-such-endpoint']) {
      const res = await call('GET', path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  it('creates a service, and answers 409 to a second one with the same name', async () => {
    const created = await call('POST', '/services', { body: processSpec('dup') });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { name: string }).name).toBe('dup');
    const again = await call('POST', '/services', { body: processSpec('dup') });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: { code: 'conflict', message: "service 'dup' already exists" } });
    // With no nodes the task stays pending, listed with the reason it is not placed.
    const tasks = async (): Promise<Array<{ state: string; message: string }>> => (await call('GET', '/services/dup/tasks')).json() as never;
    await expect.poll(tasks).toHaveLength(1);
    expect((await tasks())[0]).toMatchObject({ state: 'pending', message: expect.stringMatching(/.+/) });
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const res = await call('POST', '/services', { raw: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }) });
    expect(res.status).toBe(413);
  });

  it('applies a stack all or nothing: one bad service leaves nothing deployed', async () => {
    const good = processSpec('edge_ok', { stack: 'edge' });
    const bad = processSpec('edge_bad', { stack: 'edge', placement: { constraints: ['node.labels.gpu=='], preferences: [], maxReplicasPerNode: 0 } });
    const refused = await call('PUT', '/stacks/edge', { body: { services: [good, bad] } });
    expect(refused.status).toBe(400);
    expect(((await (await call('GET', '/services')).json()) as Array<{ name: string }>).map((s) => s.name)).not.toContain('edge_ok');

    const deployed = await call('PUT', '/stacks/edge', { body: { services: [good, processSpec('edge_two', { stack: 'edge' })] } });
    expect(await deployed.json()).toEqual({ created: ['edge_ok', 'edge_two'], updated: [], removed: [], unchanged: [], kept: [] });
    // As Swarm: a service the file dropped is kept unless the deploy prunes.
    const kept = await call('PUT', '/stacks/edge', { body: { services: [good] } });
    expect(await kept.json()).toEqual({ created: [], updated: [], removed: [], unchanged: ['edge_ok'], kept: ['edge_two'] });
    expect(await (await call('GET', '/stacks')).json()).toEqual([{ name: 'edge', services: 2 }]);
    const redeployed = await call('PUT', '/stacks/edge', { body: { services: [{ ...good, replicas: 3 }], prune: true } });
    expect(await redeployed.json()).toEqual({ created: [], updated: ['edge_ok'], removed: ['edge_two'], unchanged: [], kept: [] });
    expect(await (await call('GET', '/stacks')).json()).toEqual([{ name: 'edge', services: 1 }]);
  });

  it('streams events as newline-delimited JSON while following', async () => {
    const abort = new AbortController();
    const res = await fetch(`${api.url}/v1/events?follow=1&since=${Date.now()}`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const reader = res.body!.getReader();
    await call('POST', '/services', { body: processSpec('live') });
    let text = '';
    while (!text.includes('service.create')) text += new TextDecoder().decode((await reader.read()).value);
    const event = JSON.parse(text.split('\n').find((l) => l.includes('"live"')) ?? '{}') as { kind: string; subject: string };
    expect(event).toMatchObject({ kind: 'service.create', subject: 'live' });
    abort.abort();
  });
});
