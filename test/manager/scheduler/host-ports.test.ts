import { describe, expect, it } from 'vitest';
import { checkNode, scheduleTasks } from '../../../manager/scheduler/index.js';
import { countByNode, node, tasks } from './fleet.js';

describe('scheduler: host-mode ports are a node resource', () => {
  it('never puts two tasks publishing the same host port on one node; the rest stay pending in Swarm words', () => {
    const hostPorts = ['9100/tcp'];
    const result = scheduleTasks(tasks('exporter', 3, { hostPorts }), [node('a'), node('b')]);
    expect(countByNode(result.placements)).toEqual({ a: 1, b: 1 });
    expect([...result.pending.values()]).toEqual(['no suitable node (host-mode port already in use on 2 nodes)']);
  });

  it('counts ports other services already hold on the node, and says so for one node', () => {
    const result = scheduleTasks(tasks('web', 2, { hostPorts: ['8080/tcp', '8443/tcp'] }), [node('a', { usedHostPorts: new Set(['8443/tcp']) }), node('b')]);
    expect([...result.placements.values()]).toEqual(['b']);
    expect([...result.pending.values()]).toEqual(['no suitable node (host-mode port already in use on 2 nodes)']);
    expect(checkNode(tasks('web', 1, { hostPorts: ['8443/tcp'] })[0]!, node('a', { usedHostPorts: new Set(['8443/tcp']) }))).toEqual({ filter: 'hostPorts', detail: '' });
    const one = scheduleTasks(tasks('web', 1, { hostPorts: ['8443/tcp'] }), [node('a', { usedHostPorts: new Set(['8443/tcp']) })]);
    expect([...one.pending.values()]).toEqual(['no suitable node (host-mode port already in use on 1 node)']);
  });

  it('tells protocols apart and leaves tasks without host ports alone', () => {
    const used = { usedHostPorts: new Set(['53/udp']) };
    expect(countByNode(scheduleTasks(tasks('dns', 1, { hostPorts: ['53/tcp'] }), [node('a', used)]).placements)).toEqual({ a: 1 });
    expect(countByNode(scheduleTasks(tasks('web', 3), [node('a', used)]).placements)).toEqual({ a: 3 });
  });

  it('keeps two services publishing one host port on different nodes within one call', () => {
    const hostPorts = ['9100/tcp'];
    const result = scheduleTasks([...tasks('x', 1, { hostPorts }), ...tasks('y', 1, { hostPorts })], [node('a'), node('b')]);
    expect(new Set(result.placements.values())).toEqual(new Set(['a', 'b']));
  });
});
