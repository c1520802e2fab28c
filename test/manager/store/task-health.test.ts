import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyTaskStatus } from '../../../manager/dispatcher/task-status.js';
import { MIGRATIONS, migrate } from '../../../manager/store/migrations.js';
import { newTask } from '../../../manager/orchestrator/task-factory.js';
import type { ServiceRecord } from '../../../manager/store/records.js';
import { Store } from '../../../manager/store/store.js';
import type { TaskStatus } from '../../../shared/payloads/tasks.js';
import { defaultServiceSpec } from '../../../shared/service-spec.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'kelvin-task-health-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const service: ServiceRecord = { id: 'svc-web', name: 'web', spec: { ...defaultServiceSpec('web'), image: 'img' }, version: 1, forceUpdate: 0, previousSpec: null, updateStatus: null, vip: null, createdAt: 1, updatedAt: 1 };
const log = [{ start: 100, end: 120, exitCode: 1, output: 'refused\n' }];

function status(patch: Partial<TaskStatus>): TaskStatus {
  return { v: 1, taskId: 't', generation: 1, state: 'running', exitCode: null, signal: null, error: null, message: 'running', runtimeId: '42', throttled: false, ts: 1, startedAt: 1, finishedAt: null, ...patch };
}

describe('task health in the store', () => {
  it('is stored, survives a reopen, and a task made before health checks reads as none', () => {
    // A database of the schema before the health columns, with a task in it.
    const path = join(dir, 'kelvin.db');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.includes('health_log'))));
    old.close();
    let store = Store.open(path);
    store.insertService(service);
    const task = store.insertTask(newTask(service, 1, 'pi-1', 5));
    expect(store.getTask(task.id)).toMatchObject({ health: null, healthLog: [] });
    store.updateTask(task.id, { health: 'unhealthy', healthLog: log });
    store.close();
    store = Store.open(path);
    expect(store.getTask(task.id)).toMatchObject({ health: 'unhealthy', healthLog: log });
    store.close();
  });

  it('a report with health updates it; one without (an older agent) leaves it as it was', () => {
    const task = { ...newTask(service, 1, 'pi-1', 5), state: 'running' as const, health: 'healthy' as const };
    expect(applyTaskStatus(task, 'pi-1', status({ health: 'unhealthy', healthLog: log }), 10)).toMatchObject({ patch: { health: 'unhealthy', healthLog: log } });
    const without = applyTaskStatus(task, 'pi-1', status({}), 10);
    expect('patch' in without && !('health' in without.patch) && !('healthLog' in without.patch)).toBe(true);
  });
});
