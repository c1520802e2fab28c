import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness, NODE_TIMEOUT_MS } from '../orchestrator/harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

/** Counts SQLite statements run on the store's database from now on (better-sqlite3 prepares each). */
function countQueries(): { count: () => number } {
  const db = h.store.database;
  const prepare = db.prepare.bind(db);
  let count = 0;
  db.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    for (const method of ['get', 'all', 'run', 'iterate'] as const) {
      const original = stmt[method].bind(stmt) as (...args: unknown[]) => unknown;
      (stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        count++;
        return original(...args);
      };
    }
    return stmt;
  }) as typeof db.prepare;
  return { count: () => count };
}

describe('Telemetry ingest', () => {
  it('takes telemetry of known ready nodes, and runs its liveness sweep, without reading the database', () => {
    for (const id of ['pi-1', 'pi-2', 'pi-3']) h.addNode(id);
    h.settle(2000);
    // Statements are prepared once and reused; count their runs from here on.
    const queries = countQueries();
    (h.store as unknown as { statements: Map<string, unknown> }).statements.clear();
    for (let i = 0; i < 20; i++) for (const id of ['pi-1', 'pi-2', 'pi-3']) h.telemetry(id);
    h.inventory.checkTimeouts();
    expect(queries.count()).toBe(0);
    expect(h.store.getTelemetry('pi-2')).not.toBeNull();
    expect(h.store.getNode('pi-2')?.status).toBe('ready');
  });

  it('still sees what other parts change: a node removed stops being ingested, a down node comes back on telemetry', () => {
    h.addNode('pi-1');
    h.addNode('pi-2');
    h.cluster.removeNode('pi-2', { force: true });
    h.telemetry('pi-2');
    expect(h.store.getTelemetry('pi-2')).toBeNull();
    expect(h.store.getNode('pi-2')).toBeNull();

    h.alive.delete('pi-1');
    h.settle(NODE_TIMEOUT_MS * 2);
    expect(h.store.getNode('pi-1')?.status).toBe('down');
    h.telemetry('pi-1');
    expect(h.store.getNode('pi-1')?.status).toBe('ready');
    expect(h.store.listNodes().map((n) => [n.id, n.status])).toEqual([['pi-1', 'ready']]);
  });

  it('keeps its node records equal to the database after a rolled-back transaction', () => {
    h.addNode('pi-1');
    expect(() =>
      h.store.transaction(() => {
        h.store.updateNode('pi-1', { status: 'down', statusMessage: 'half a change' });
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(h.store.getNode('pi-1')?.status).toBe('ready');
    expect(h.store.listNodes()[0]?.statusMessage).toBe('');
  });
});
