import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertHistory } from '../../../manager/alerts/history.js';
import { makeAlert } from './fixtures.js';

let dir: string;
let dbPath: string;
const open: Database.Database[] = [];

function openDb(): Database.Database {
  const db = new Database(dbPath);
  open.push(db);
  return db;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-alerts-'));
  dbPath = join(dir, 'manager.db');
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AlertHistory', () => {
  it('keeps alerts across a restart (close and reopen the file)', () => {
    const first = openDb();
    const alerts = [makeAlert(1), makeAlert(2, { nodeId: null, kind: 'node.down', severity: 'critical', details: { lastSeen: 5, why: ['a'] } })];
    const history = new AlertHistory(first);
    for (const a of alerts) history.record(a);
    first.close();

    const reopened = new AlertHistory(openDb()); // the table already exists: creation is idempotent
    expect(reopened.list()).toEqual(alerts);
  });

  it('lists newest last, with the most recent `limit` when there are more', () => {
    const history = new AlertHistory(openDb());
    // Recorded out of time order: listing follows `at`, not arrival.
    for (const n of [3, 1, 4, 2, 5]) history.record(makeAlert(n));
    expect(history.list().map((a) => a.id)).toEqual(['alert-1', 'alert-2', 'alert-3', 'alert-4', 'alert-5']);
    expect(history.list({ limit: 2 }).map((a) => a.id)).toEqual(['alert-4', 'alert-5']);
  });

  it('filters by since, node and kind', () => {
    const history = new AlertHistory(openDb());
    history.record(makeAlert(1));
    history.record(makeAlert(2, { nodeId: 'jetson-1' }));
    history.record(makeAlert(3, { kind: 'power.undervoltage' }));
    history.record(makeAlert(4, { nodeId: 'jetson-1', kind: 'power.undervoltage' }));

    expect(history.list({ since: makeAlert(3).at }).map((a) => a.id)).toEqual(['alert-3', 'alert-4']);
    expect(history.list({ nodeId: 'jetson-1' }).map((a) => a.id)).toEqual(['alert-2', 'alert-4']);
    expect(history.list({ kind: 'power.undervoltage', nodeId: 'pi-1' }).map((a) => a.id)).toEqual(['alert-3']);
  });

  it('records a repeated alert id once', () => {
    const history = new AlertHistory(openDb());
    history.record(makeAlert(1));
    history.record(makeAlert(1));
    expect(history.list()).toHaveLength(1);
  });

  it('prunes the oldest rows beyond `retain`', () => {
    const history = new AlertHistory(openDb(), { retain: 3 });
    for (let n = 1; n <= 6; n++) history.record(makeAlert(n));
    expect(history.list().map((a) => a.id)).toEqual(['alert-4', 'alert-5', 'alert-6']);
  });

  it('keeps a quota per node: a storm of one node evicts its own oldest alerts, never another node\'s', () => {
    const history = new AlertHistory(openDb(), { perNode: 3 });
    history.record(makeAlert(1, { nodeId: 'pi-2' }));
    history.record(makeAlert(2, { nodeId: null, kind: 'node.down' }));
    for (let n = 3; n <= 40; n++) history.record(makeAlert(n, { nodeId: 'pi-1' }));
    expect(history.list().map((a) => a.id)).toEqual(['alert-1', 'alert-2', 'alert-38', 'alert-39', 'alert-40']);
  });

  it('forgets alerts older than maxAgeMs', () => {
    const history = new AlertHistory(openDb(), { maxAgeMs: 10_000 });
    for (let n = 1; n <= 100; n++) history.record(makeAlert(n)); // one a second; the 100th prunes by age
    expect(history.list().map((a) => a.id)).toEqual(Array.from({ length: 11 }, (_, i) => `alert-${90 + i}`));
  });

  it('rejects a limit that is not a positive integer', () => {
    const history = new AlertHistory(openDb());
    expect(() => history.list({ limit: 0 })).toThrow('alert history limit must be a positive integer, got 0');
  });

  it('indexes alerts by time', () => {
    const db = openDb();
    new AlertHistory(db);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM alerts WHERE at >= 5').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('alerts_at');
  });
});
