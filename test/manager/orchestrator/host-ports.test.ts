import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PublishedPort } from '../../../shared/published-ports.js';
import { Harness, spec } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

const hostPort = (published: number): PublishedPort[] => [{ published, target: 80, protocol: 'tcp', mode: 'host' }];

describe('host-mode ports in placement', () => {
  it('places 3 replicas publishing one host port on 2 boards, one per board, the third pending with the reason', () => {
    h.addNode('a');
    h.addNode('b');
    h.cluster.createService(spec('web', { replicas: 3, ports: hostPort(8080) }));
    h.settle();
    const tasks = h.live('web');
    expect(tasks.filter((t) => t.state === 'assigned').map((t) => t.nodeId).sort()).toEqual(['a', 'b']);
    expect(tasks.filter((t) => t.state === 'pending').map((t) => t.message)).toEqual(['no suitable node (host-mode port already in use on 2 nodes)']);
  });

  it('keeps a second service publishing the same host port off the board the first one runs on', () => {
    h.addNode('a');
    h.addNode('b');
    h.cluster.createService(spec('one', { ports: hostPort(9100) }));
    h.settle();
    h.runAll();
    const first = h.live('one')[0]?.nodeId;
    h.cluster.createService(spec('two', { ports: hostPort(9100) }));
    h.settle();
    expect(h.live('two').map((t) => t.nodeId)).toEqual([first === 'a' ? 'b' : 'a']);
    // An ingress port is not a node resource: a service publishing it lands anywhere.
    h.cluster.createService(spec('three', { replicas: 2, placement: { constraints: [], preferences: [], maxReplicasPerNode: 0 }, ports: [{ published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' }] }));
    h.settle();
    expect(h.live('three').every((t) => t.state === 'assigned')).toBe(true);
  });

  it('frees the port when the service stops publishing it: the pending task is placed', () => {
    h.addNode('a');
    h.cluster.createService(spec('web', { replicas: 2, ports: hostPort(8080) }));
    h.settle();
    expect(h.live('web').filter((t) => t.state === 'pending')).toHaveLength(1);
    h.cluster.updateService('web', { spec: spec('web', { replicas: 2, ports: [] }) });
    h.settle(2000);
    h.runAll();
    h.settle(2000);
    expect(h.live('web').map((t) => t.state)).toEqual(['running', 'running']);
  });
});
