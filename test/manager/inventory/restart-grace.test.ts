/**
 * A manager restart (issue 10): boards it has not heard from since it started get the restart
 * grace (node timeout + the agents' reconnect backoff cap) before any is declared down or loses
 * its tasks, whatever the store says about them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_RECONNECT_BACKOFF } from '../../../shared/backoff.js';
import { restartGraceMs } from '../../../manager/inventory/restart-grace.js';
import { Harness, NODE_TIMEOUT_MS, spec } from '../orchestrator/harness.js';

const GRACE_MS = NODE_TIMEOUT_MS + AGENT_RECONNECT_BACKOFF.maxMs;

let h: Harness;
beforeEach(() => {
  h = new Harness();
  h.addNode('pi-1');
  h.addNode('pi-2');
  h.cluster.createService(spec('web', { replicas: 4 }));
  h.settle();
  h.runAll();
});
afterEach(() => h.close());

const status = (id: string): string | undefined => h.store.getNode(id)?.status;
const placement = (): string[] => h.live('web').map((t) => `${t.id}@${t.nodeId ?? '-'}`).sort();

/** The board's agent reconnects: online status, then telemetry every step. */
function comesBack(id: string): void {
  h.online(id);
  h.alive.add(id);
}

describe('restart grace', () => {
  it('is the node timeout plus the agents\' reconnect backoff cap', () => {
    expect(restartGraceMs(NODE_TIMEOUT_MS)).toBe(GRACE_MS);
    expect(AGENT_RECONNECT_BACKOFF.maxMs).toBeLessThanOrEqual(5000);
  });

  it('keeps remembered nodes ready for the grace after a minute away, then declares the silent one down and moves its tasks', () => {
    const before = placement();
    expect(new Set(h.live('web').map((t) => t.nodeId))).toEqual(new Set(['pi-1', 'pi-2']));
    h.alive.clear();
    h.restartManager(60_000);
    h.settle(NODE_TIMEOUT_MS + 1000); // past the node timeout: a restart used to end here
    expect([status('pi-1'), status('pi-2')]).toEqual(['ready', 'ready']);
    comesBack('pi-1');
    h.settle(GRACE_MS - NODE_TIMEOUT_MS - 1500);
    expect(placement()).toEqual(before);
    expect(h.cluster.events().filter((e) => e.kind === 'node.down' || e.kind === 'task.reschedule')).toEqual([]);

    h.settle(1000);
    expect(status('pi-1')).toBe('ready');
    expect(status('pi-2')).toBe('down');
    expect(h.store.getNode('pi-2')?.statusMessage).toBe(`not back within ${(GRACE_MS / 1000).toFixed(1)}s of the manager's start`);
    h.settle();
    expect(h.live('web').every((t) => t.nodeId === 'pi-1')).toBe(true);
  });

  it('moves nothing when every board is back within the grace', () => {
    const before = placement();
    h.alive.clear();
    h.restartManager(60_000);
    h.settle(GRACE_MS - 1000);
    comesBack('pi-1');
    comesBack('pi-2');
    h.settle(GRACE_MS * 3);
    expect(placement()).toEqual(before);
    expect(h.cluster.events().filter((e) => e.kind === 'node.down' || e.kind === 'task.reschedule')).toEqual([]);
  });

  it('gives a node heard from after the start the plain node timeout again', () => {
    h.alive.clear();
    h.restartManager(60_000);
    comesBack('pi-1');
    h.settle(1000);
    h.alive.delete('pi-1');
    h.settle(NODE_TIMEOUT_MS + 500);
    expect(status('pi-1')).toBe('down');
    expect(h.store.getNode('pi-1')?.statusMessage).toMatch(/^no telemetry for 5\.\ds$/);
    expect(status('pi-2')).toBe('ready'); // still inside its grace
  });

  it('does not move the tasks of a node stored as down (a clean agent stop) until the grace has passed', () => {
    const before = placement();
    h.inventory.handle({ scope: 'node', nodeId: 'pi-2', kind: 'status', payload: { v: 1, state: 'offline', bootId: 'boot-pi-2', clean: true, ts: h.clock.now() } });
    h.alive.clear();
    h.restartManager(60_000);
    h.settle(GRACE_MS - 1000);
    expect(status('pi-2')).toBe('down');
    expect(placement()).toEqual(before);
    comesBack('pi-1');
    comesBack('pi-2');
    h.settle(GRACE_MS);
    expect(status('pi-2')).toBe('ready');
    expect(placement()).toEqual(before);
  });

  it('takes an offline status retained on the broker from before the start as old news', () => {
    h.alive.clear();
    h.restartManager(60_000);
    h.inventory.handle({ scope: 'node', nodeId: 'pi-2', kind: 'status', payload: { v: 1, state: 'offline', bootId: 'boot-pi-2', clean: false, ts: h.clock.now() - 30_000 } });
    expect(status('pi-2')).toBe('ready');
    comesBack('pi-2');
    h.settle(1000);
    h.inventory.handle({ scope: 'node', nodeId: 'pi-2', kind: 'status', payload: { v: 1, state: 'offline', bootId: 'boot-pi-2', clean: true, ts: h.clock.now() } });
    expect(status('pi-2')).toBe('down'); // once heard from, an offline status counts again
  });
});
