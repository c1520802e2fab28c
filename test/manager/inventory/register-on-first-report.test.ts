import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateClient } from '../../../manager/broker/authenticate.js';
import { Inventory } from '../../../manager/inventory/inventory.js';
import { PendingJoins } from '../../../manager/broker/pending-joins.js';
import { EXTERNAL_BROKER_CREDENTIAL } from '../../../manager/broker/secrets.js';
import { formatMqttPassword, nodeClientId } from '../../../shared/credentials.js';
import { silentLogger } from '../../../shared/logger.js';
import { factsFor, Harness, NODE_TIMEOUT_MS, telemetryAt } from '../orchestrator/harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

const external = { credential: EXTERNAL_BROKER_CREDENTIAL, via: ' through the external broker' };
const inventory = (externalBroker: boolean): Inventory =>
  new Inventory({ store: h.store, clock: h.clock, nodeTimeoutMs: NODE_TIMEOUT_MS, localAgentNodeId: null, logger: silentLogger(), admit: () => (externalBroker ? external : null) });

describe('registering nodes on their first report (external broker mode)', () => {
  it('embedded mode: a report from a node that never joined is ignored', () => {
    inventory(false).handle({ scope: 'node', nodeId: 'pi-9', kind: 'facts', payload: factsFor('pi-9') });
    expect(h.store.getNode('pi-9')).toBeNull();
  });

  it('embedded mode: a joined node is registered on its first online status with the secret it bound at connect, not on its will', () => {
    const pending = new PendingJoins();
    pending.add('pi-9', { secretHash: 'sha256:abc', mosquittoHash: null });
    const inv = new Inventory({ store: h.store, clock: h.clock, nodeTimeoutMs: NODE_TIMEOUT_MS, localAgentNodeId: null, logger: silentLogger(), admit: (id) => pending.admit(id) });
    inv.handle({ scope: 'node', nodeId: 'pi-9', kind: 'status', payload: { v: 1, state: 'offline', bootId: 'b', clean: false, ts: h.clock.now() } });
    expect(h.store.getNode('pi-9')).toBeNull();
    inv.handle({ scope: 'node', nodeId: 'pi-9', kind: 'status', payload: { v: 1, state: 'online', bootId: 'b', clean: true, ts: h.clock.now() } });
    expect(h.store.getNode('pi-9')?.status).toBe('ready');
    expect(h.store.nodeCredential('pi-9')?.secretHash).toBe('sha256:abc');
    expect(pending.size).toBe(0);
  });

  it('external mode: the first facts register the node, with a join event, and it becomes ready on its status', () => {
    const inv = inventory(true);
    inv.handle({ scope: 'node', nodeId: 'pi-9', kind: 'telemetry', payload: telemetryAt(h.clock.now()) });
    expect(h.store.getNode('pi-9')).toBeNull(); // telemetry alone names no facts: wait for the report
    inv.handle({ scope: 'node', nodeId: 'pi-9', kind: 'facts', payload: factsFor('pi-9', { hostname: 'pi-nine' }) });
    expect(h.store.getNode('pi-9')).toMatchObject({ hostname: 'pi-nine', role: 'worker' });
    expect(h.cluster.events().map((e) => e.kind)).toContain('node.join');
    inv.handle({ scope: 'node', nodeId: 'pi-9', kind: 'status', payload: { v: 1, state: 'online', bootId: 'b', clean: true, ts: h.clock.now() } });
    expect(h.store.getNode('pi-9')?.status).toBe('ready');
  });

  it('a node registered through an external broker cannot log in to an embedded one until removed', () => {
    inventory(true).handle({ scope: 'node', nodeId: 'pi-9', kind: 'facts', payload: factsFor('pi-9') });
    const token = h.store.getCluster()?.joinToken ?? 'KLV-1-X';
    const r = authenticateClient(
      { store: h.store, managerSecret: 'm', pending: new PendingJoins(), joinRefusal: () => null },
      { clientId: nodeClientId('pi-9'), username: 'pi-9', password: formatMqttPassword({ joinToken: token, nodeSecret: 's' }) },
    );
    expect(r).toEqual({ ok: false, refused: 'credentials', kind: 'external', reason: expect.stringMatching(/joined through an external broker; remove it/) });
  });

  it('external mode: a node removed with --force stays out, whatever it still reports through the broker', () => {
    const inv = inventory(true);
    inv.handle({ scope: 'node', nodeId: 'pi-9', kind: 'facts', payload: factsFor('pi-9') });
    h.cluster.removeNode('pi-9', { force: true });
    inv.handle({ scope: 'node', nodeId: 'pi-9', kind: 'facts', payload: factsFor('pi-9') });
    inv.handle({ scope: 'node', nodeId: 'pi-9', kind: 'status', payload: { v: 1, state: 'online', bootId: 'b', clean: true, ts: h.clock.now() } });
    expect(h.store.getNode('pi-9')).toBeNull();
  });
});

describe('registering under --require-approval', () => {
  it("registers a new node as pending, except the manager's own agent", () => {
    const inv = new Inventory({
      store: h.store,
      clock: h.clock,
      nodeTimeoutMs: NODE_TIMEOUT_MS,
      localAgentNodeId: 'local',
      logger: silentLogger(),
      admit: () => external,
      requireApproval: true,
    });
    inv.handle({ scope: 'node', nodeId: 'pi-9', kind: 'facts', payload: factsFor('pi-9') });
    inv.handle({ scope: 'node', nodeId: 'local', kind: 'facts', payload: factsFor('local') });
    expect(h.store.getNode('pi-9')?.membership).toBe('pending');
    expect(h.store.getNode('local')?.membership).toBe('accepted');
    expect(h.cluster.events().find((e) => e.subject === 'pi-9')?.message).toMatch(/takes no work until accepted \(kelvin node accept pi-9\)/);
    expect(h.cluster.acceptNode('pi-9').membership).toBe('accepted');
  });
});
