/** Hostnames are unique among nodes: the first to claim one keeps it; a copier is marked and gets none of its pinned work. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Inventory } from '../../../manager/inventory/inventory.js';
import { silentLogger } from '../../../shared/logger.js';
import type { Alert } from '../../../shared/payloads/alert.js';
import type { ServiceSpec } from '../../../shared/service-spec.js';
import { Harness, NODE_TIMEOUT_MS, spec } from '../orchestrator/harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

const pinned = (constraint: string): ServiceSpec['placement'] => ({ constraints: [constraint], preferences: [], maxReplicasPerNode: 0 });
const conflict = (id: string): string | null | undefined => h.store.getNode(id)?.hostnameConflict;
const nodesOf = (service: string): Array<string | null> => h.live(service).map((t) => t.nodeId);

describe('hostname conflicts', () => {
  it('marks a node that reports a hostname another node holds, case-insensitively, with one event', () => {
    h.addNode('pi-1', { hostname: 'kitchen' });
    h.addNode('evil', { hostname: 'Kitchen' });
    h.addNode('pi-2', { hostname: 'hall' });
    expect([conflict('pi-1'), conflict('evil'), conflict('pi-2')]).toEqual([null, 'pi-1', null]);
    // The impostor reports again on every reconnect: still one conflict event, and the holder keeps the name.
    h.inventory.handle({ scope: 'node', nodeId: 'evil', kind: 'facts', payload: { ...h.store.getNode('evil')!.facts!, hostname: 'Kitchen' } });
    h.inventory.handle({ scope: 'node', nodeId: 'pi-1', kind: 'facts', payload: h.store.getNode('pi-1')!.facts! });
    expect([conflict('pi-1'), conflict('evil')]).toEqual([null, 'pi-1']);
    const events = h.cluster.events().filter((e) => e.kind === 'node.hostname-conflict');
    expect(events.map((e) => [e.subject, e.details])).toEqual([['evil', { hostname: 'Kitchen', holder: 'pi-1' }]]);
    expect(events[0]?.message).toContain('hostname conflict with pi-1');
  });

  it('never places work pinned with node.hostname on the impostor, nor with != on it', () => {
    h.addNode('pi-1', { hostname: 'kitchen' });
    h.addNode('evil', { hostname: 'kitchen' });
    h.cluster.createService(spec('pinned', { replicas: 4, placement: pinned('node.hostname==kitchen'), env: { API_KEY: 's3cret' } }));
    h.cluster.createService(spec('elsewhere', { replicas: 2, placement: pinned('node.hostname!=hall') }));
    h.settle();
    expect(nodesOf('pinned')).toEqual(['pi-1', 'pi-1', 'pi-1', 'pi-1']);
    expect(nodesOf('elsewhere')).toEqual(['pi-1', 'pi-1']);
    expect(JSON.stringify(h.published.filter((p) => p.topic.endsWith('/evil/tasks')))).not.toContain('s3cret');
  });

  it('a node reporting a free name is not conflicted, and one that renames away from a conflict is released', () => {
    h.addNode('pi-1', { hostname: 'kitchen' });
    h.addNode('evil', { hostname: 'kitchen' });
    h.inventory.handle({ scope: 'node', nodeId: 'evil', kind: 'facts', payload: { ...h.store.getNode('evil')!.facts!, hostname: 'attic' } });
    expect(conflict('evil')).toBeNull();
    expect(h.cluster.events().map((e) => e.kind)).toContain('node.hostname');
  });

  it('an older node renaming itself to a held name is the conflicted one: the holder keeps it', () => {
    h.addNode('old', { hostname: 'garage' });
    h.addNode('pi-1', { hostname: 'kitchen' });
    h.inventory.handle({ scope: 'node', nodeId: 'old', kind: 'facts', payload: { ...h.store.getNode('old')!.facts!, hostname: 'kitchen' } });
    expect([conflict('pi-1'), conflict('old')]).toEqual([null, 'pi-1']);
  });

  it('when the holder is removed, the earliest registered of the nodes waiting on its name takes it over', () => {
    h.addNode('pi-1', { hostname: 'kitchen' });
    h.addNode('second', { hostname: 'kitchen' });
    h.clock.advance(10);
    h.addNode('third', { hostname: 'kitchen' });
    h.cluster.createService(spec('pinned', { placement: pinned('node.hostname==kitchen') }));
    h.settle();
    expect(nodesOf('pinned')).toEqual(['pi-1']);

    h.alive.delete('pi-1');
    h.will('pi-1');
    h.cluster.removeNode('pi-1', { force: true });
    h.settle();
    expect([conflict('second'), conflict('third')]).toEqual([null, 'second']);
    expect(nodesOf('pinned')).toEqual(['second']);
  });

  it('a node registered but not yet reporting holds no name (the store shows its id until its facts)', () => {
    h.store.registerNode('kitchen', { secretHash: 'sha256:x', mosquittoHash: null }, 'worker');
    h.addNode('pi-1', { hostname: 'kitchen' });
    expect(conflict('pi-1')).toBeNull();
  });

  it('raises an alert per conflict, but a board toggling its hostname is alerted a few times a minute, not per message', () => {
    h.addNode('pi-1', { hostname: 'kitchen' });
    h.addNode('evil', { hostname: 'attic' });
    const alerts: Alert[] = [];
    const inventory = new Inventory({
      store: h.store,
      clock: h.clock,
      nodeTimeoutMs: NODE_TIMEOUT_MS,
      localAgentNodeId: null,
      logger: silentLogger(),
      alerts: { emit: (a) => (alerts.push(a), { ok: true }) },
    });
    const facts = h.store.getNode('evil')!.facts!;
    for (let i = 0; i < 200; i++) inventory.handle({ scope: 'node', nodeId: 'evil', kind: 'facts', payload: { ...facts, hostname: i % 2 === 0 ? 'kitchen' : 'attic' } });
    expect(alerts).toHaveLength(10);
    expect(alerts[0]).toMatchObject({ kind: 'node.hostname-conflict', severity: 'warning', nodeId: 'evil', details: { hostname: 'kitchen', holder: 'pi-1' } });
    const rows = h.cluster.events().filter((e) => e.kind === 'node.hostname-conflict');
    expect(rows).toHaveLength(11);
    expect(rows[10]?.details.repeats).toBe(90);
  });
});

