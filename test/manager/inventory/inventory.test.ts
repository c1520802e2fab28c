import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/logger.js';
import { Inventory } from '../../../manager/inventory/inventory.js';
import { constraintSubject, nodeLabels } from '../../../manager/inventory/node-view.js';
import { factsFor, Harness, NODE_TIMEOUT_MS } from '../orchestrator/harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

const status = (id: string): string | undefined => h.store.getNode(id)?.status;

describe('Inventory liveness', () => {
  it('marks a node ready on its online status and down on its will message', () => {
    h.addNode('pi-1');
    expect(status('pi-1')).toBe('ready');
    h.alive.delete('pi-1');
    h.will('pi-1');
    expect(status('pi-1')).toBe('down');
    expect(h.store.getNode('pi-1')?.statusMessage).toMatch(/will/);
    expect(h.cluster.events().map((e) => e.kind)).toContain('node.down');
  });

  it('marks a node down after the node timeout without telemetry, and ready again on telemetry', () => {
    h.addNode('pi-1');
    h.settle(NODE_TIMEOUT_MS * 2);
    expect(status('pi-1')).toBe('ready'); // telemetry keeps it alive
    h.alive.delete('pi-1');
    h.settle(NODE_TIMEOUT_MS - 1000);
    expect(status('pi-1')).toBe('ready');
    h.settle(1500);
    expect(status('pi-1')).toBe('down');
    expect(h.store.getNode('pi-1')?.statusMessage).toMatch(/no telemetry for 5\.\ds/);
    h.telemetry('pi-1');
    expect(status('pi-1')).toBe('ready');
    expect(h.store.getTelemetry('pi-1')?.cpuTempC).toBe(50);
  });

  it('marks a node down on a clean offline, and back up on its next telemetry after a late will', () => {
    h.addNode('pi-1');
    h.settle(1000);
    // reconnect: the new online arrives, then the old connection's will
    h.online('pi-1');
    h.will('pi-1');
    h.settle(600);
    expect(status('pi-1')).toBe('ready');
    h.inventory.handle({ scope: 'node', nodeId: 'pi-1', kind: 'status', payload: { v: 1, state: 'offline', bootId: 'b', clean: true, ts: h.clock.now() } });
    expect(status('pi-1')).toBe('down');
    expect(h.store.getNode('pi-1')?.statusMessage).toBe('agent shut down');
  });
});

describe('Inventory facts', () => {
  it('records facts, boot id and a reboot event, and ignores facts that name another node', () => {
    h.addNode('pi-1');
    expect(h.store.getNode('pi-1')).toMatchObject({ hostname: 'pi-1-host', bootId: 'boot-pi-1', role: 'worker' });
    h.inventory.handle({ scope: 'node', nodeId: 'pi-1', kind: 'facts', payload: factsFor('pi-1', { bootId: 'boot-2' }) });
    expect(h.store.getNode('pi-1')?.bootId).toBe('boot-2');
    expect(h.cluster.events().filter((e) => e.kind === 'node.reboot')).toHaveLength(1);
    h.inventory.handle({ scope: 'node', nodeId: 'pi-1', kind: 'facts', payload: factsFor('pi-2', { hostname: 'evil' }) });
    expect(h.store.getNode('pi-1')?.hostname).toBe('pi-1-host');
  });

  it('ignores reports from node ids that never joined', () => {
    h.online('ghost');
    expect(h.store.getNode('ghost')).toBeNull();
  });

  it('gives the local agent the manager role', () => {
    h.store.registerNode('local', { secretHash: 'sha256:x', mosquittoHash: null }, 'worker');
    const inv = new Inventory({ store: h.store, clock: h.clock, nodeTimeoutMs: NODE_TIMEOUT_MS, localAgentNodeId: 'local', logger: silentLogger() });
    inv.handle({ scope: 'node', nodeId: 'local', kind: 'facts', payload: factsFor('local') });
    expect(h.store.getNode('local')?.role).toBe('manager');
  });

  it('overlays manager-set labels on the labels the agent reports, manager winning', () => {
    h.addNode('pi-1', { labels: { gpu: 'true', board: 'pi4' }, engineLabels: { site: 'lab' } });
    h.cluster.updateNode('pi-1', { labelAdd: { gpu: 'false', zone: 'attic' } });
    const node = h.store.getNode('pi-1');
    if (!node) throw new Error('missing');
    expect(nodeLabels(node)).toEqual({ gpu: 'false', board: 'pi4', zone: 'attic' });
    expect(constraintSubject(node)?.engineLabels).toEqual({ site: 'lab' });
  });
});
