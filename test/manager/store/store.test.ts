import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultServiceSpec } from '../../../shared/service-spec.js';
import { MIGRATIONS, migrate } from '../../../manager/store/migrations.js';
import type { Change, ServiceRecord, TaskRecord } from '../../../manager/store/records.js';
import { MAX_IMAGE_PLATFORM_ENTRIES, Store } from '../../../manager/store/store.js';
import { newTask } from '../../../manager/orchestrator/task-factory.js';
import { factsFor } from '../orchestrator/harness.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-store-'));
  path = join(dir, 'kelvin.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function service(name: string): ServiceRecord {
  return { id: `svc-${name}`, name, spec: { ...defaultServiceSpec(name), image: 'img' }, version: 1, forceUpdate: 0, previousSpec: null, updateStatus: null, vip: null, createdAt: 1, updatedAt: 1 };
}

describe('Store', () => {
  it('creates the file with mode 600, in WAL mode, at the latest schema version', () => {
    const store = Store.open(path);
    store.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('round-trips nodes, services, tasks, desired sets and events across a reopen', () => {
    let store = Store.open(path, { now: () => 42 });
    store.registerNode('pi-1', { secretHash: 'sha256:abc', mosquittoHash: '$7$x' }, 'worker');
    store.updateNode('pi-1', { facts: factsFor('pi-1', { labels: { gpu: 'false' } }), labels: { zone: 'attic' }, availability: 'drain', status: 'ready', bootId: 'b1' });
    const svc = store.insertService(service('web'));
    const task: TaskRecord = { ...newTask(svc, 1, 'pi-1', 42), restartHistory: [1, 2], exitCode: 3 };
    store.insertTask(task);
    store.saveDesiredSet({ nodeId: 'pi-1', generation: 7, digest: 'd' });
    store.addEvent('node.ready', 'pi-1', 'ready', { a: 1 });
    store.close();

    store = Store.open(path);
    const node = store.getNode('pi-1');
    expect(node).toMatchObject({ labels: { zone: 'attic' }, availability: 'drain', status: 'ready', bootId: 'b1', createdAt: 42 });
    expect(node?.facts?.labels).toEqual({ gpu: 'false' });
    expect(store.nodeCredential('pi-1')).toEqual({ secretHash: 'sha256:abc', mosquittoHash: '$7$x' });
    expect(store.getServiceByName('web')?.spec).toEqual(svc.spec);
    expect(store.getTask(task.id)).toEqual(task);
    expect(store.listTasks({ nodeId: 'pi-1', desiredState: 'running' }).map((t) => t.id)).toEqual([task.id]);
    expect(store.getDesiredSet('pi-1')).toEqual({ nodeId: 'pi-1', generation: 7, digest: 'd' });
    expect(store.listEvents().map((e) => [e.kind, e.subject, e.details])).toEqual([['node.ready', 'pi-1', { a: 1 }]]);
    store.close();
  });

  it('keeps image platforms across a reopen, at most MAX_IMAGE_PLATFORM_ENTRIES of them, the oldest going first', () => {
    let now = 0;
    let store = Store.open(path, { now: () => now });
    for (let i = 0; i <= MAX_IMAGE_PLATFORM_ENTRIES; i++) {
      now = i;
      store.saveImagePlatforms(`img-${i}`, [{ os: 'linux', arch: 'amd64' }]);
    }
    now += 1;
    store.saveImagePlatforms('img-1', [{ os: 'linux', arch: 'arm', variant: 'v7' }]); // learned again: now the newest
    now += 1;
    store.saveImagePlatforms('img-new', [{ os: 'linux', arch: 'arm64' }]);
    store.close();
    store = Store.open(path);
    const known = store.imagePlatforms();
    expect(known.size).toBe(MAX_IMAGE_PLATFORM_ENTRIES);
    expect(known.has('img-0')).toBe(false);
    expect(known.has('img-2')).toBe(false);
    expect(known.get('img-1')).toEqual([{ os: 'linux', arch: 'arm', variant: 'v7' }]);
    expect(known.get('img-new')).toEqual([{ os: 'linux', arch: 'arm64' }]);
    store.close();
  });

  it('emits one change batch per committed transaction and none for a no-op update', () => {
    const store = Store.open(path);
    const batches: Change[][] = [];
    store.on('change', (c) => batches.push(c));
    store.transaction(() => {
      store.insertService(service('a'));
      store.insertService(service('b'));
    });
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((c) => `${c.kind}:${c.op}:${c.id}`)).toEqual(['service:create:svc-a', 'service:create:svc-b']);
    store.updateService('svc-a', { version: 1 });
    expect(batches).toHaveLength(1);
    store.updateService('svc-a', { version: 2 });
    expect(batches[1]?.[0]).toMatchObject({ kind: 'service', op: 'update', before: { version: 1 }, after: { version: 2 } });
    store.close();
  });

  it('rolls back a whole transaction that fails part way, with no change event', () => {
    const store = Store.open(path);
    const batches: Change[][] = [];
    store.on('change', (c) => batches.push(c));
    store.insertService(service('web'));
    expect(() =>
      store.transaction(() => {
        store.insertService(service('api'));
        store.updateService('svc-web', { version: 9 });
        store.insertService({ ...service('web'), id: 'other' }); // duplicate name: UNIQUE fails
      }),
    ).toThrow(/UNIQUE/);
    expect(store.getService('svc-api')).toBeNull();
    expect(store.getService('svc-web')?.version).toBe(1);
    expect(batches).toHaveLength(1);
    store.close();
  });

  it('keeps the latest telemetry in memory only', () => {
    const store = Store.open(path);
    const seen: string[] = [];
    store.on('telemetry', (id) => seen.push(id));
    store.setTelemetry('pi-1', { v: 1, ts: 1, seq: 0, cpuTempC: 50, temps: [], voltages: [], power: { underVoltageNow: null, underVoltageOccurred: null, throttledNow: null, freqCappedNow: null, softTempLimitNow: null, inputVolts: null }, gpus: [], gpuStale: false, load1: 1, memUsedBytes: null });
    expect(store.getTelemetry('pi-1')?.cpuTempC).toBe(50);
    expect(seen).toEqual(['pi-1']);
    store.close();
    expect(Store.open(path).getTelemetry('pi-1')).toBeNull();
  });
});

describe('migrations', () => {
  it('upgrades an older file step by step and refuses a newer one', () => {
    const db = new Database(path);
    expect(migrate(db, ['CREATE TABLE a (x)'])).toBe(1);
    expect(migrate(db, ['CREATE TABLE a (x)', 'ALTER TABLE a ADD COLUMN y'])).toBe(2);
    db.prepare('INSERT INTO a (x, y) VALUES (1, 2)').run();
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(() => migrate(db, ['CREATE TABLE a (x)'])).toThrow(/newer than this Kelvin/);
    db.close();
  });

  it('leaves the version unchanged when a migration fails', () => {
    const db = new Database(path);
    expect(() => migrate(db, ['CREATE TABLE a (x); CREATE TABLE a (x)'])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'a'").get()).toBeUndefined();
    db.close();
  });
});
