/** Devices and image platforms in placement: where work that needs a device or an architecture goes, and when it moves. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePlatformMismatch } from '../../../shared/image-platform.js';
import { factsFor, Harness, spec } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

const serial = { host: '/dev/ttyUSB0', container: '/dev/ttyUSB0', permissions: 'rwm' };
const nodesOf = (ref: string): string[] => h.live(ref).map((t) => t.nodeId ?? '-').sort();

function reject(nodeId: string, taskId: string, error: string): void {
  h.dispatcher.handle({
    scope: 'node',
    nodeId,
    kind: 'task-status',
    payload: { v: 1, taskId, generation: 1, state: 'rejected', exitCode: null, signal: null, error, message: 'rejected: prepare failed', runtimeId: null, throttled: false, ts: h.clock.now(), startedAt: null, finishedAt: h.clock.now() },
  });
}

describe('devices', () => {
  it('places a service that maps a device only on the node that has it, and says so when none has it', () => {
    h.addNode('a', { devices: ['/dev/ttyUSB0', '/dev/video0'] });
    h.addNode('b');
    h.addNode('c', { devices: ['/dev/video0'] });
    h.cluster.createService(spec('gps', { replicas: 2, devices: [serial] }));
    h.cluster.createService(spec('cam', { devices: [{ ...serial, host: '/dev/video9', container: '/dev/video0' }] }));
    h.settle();
    expect(nodesOf('gps')).toEqual(['a', 'a']);
    expect(h.live('cam').map((t) => [t.state, t.message])).toEqual([['pending', 'no suitable node (no node has /dev/video9 (3 nodes))']]);
  });

  it('moves the tasks of a node whose device disappeared, with an event', () => {
    h.addNode('a', { devices: ['/dev/ttyUSB0'] });
    h.addNode('b');
    h.cluster.createService(spec('gps', { devices: [serial] }));
    h.settle();
    h.runAll();
    expect(nodesOf('gps')).toEqual(['a']);
    h.inventory.handle({ scope: 'node', nodeId: 'b', kind: 'facts', payload: factsFor('b', { devices: ['/dev/ttyUSB0'] }) });
    h.inventory.handle({ scope: 'node', nodeId: 'a', kind: 'facts', payload: factsFor('a', { devices: [] }) });
    h.settle();
    h.runAll('b');
    h.settle();
    expect(nodesOf('gps')).toEqual(['b']);
    const moves = h.store.listEvents().filter((e) => e.kind === 'task.move');
    expect(moves.map((e) => e.message)).toEqual([expect.stringMatching(/^task \S+ of gps moves off node a: node a-host no longer has \/dev\/ttyUSB0$/)]);
  });

  it('matches node.hw.device constraints, fail-closed for a node that reports no devices', () => {
    h.addNode('a', { devices: ['/dev/video0'] });
    h.addNode('old'); // an agent from before device facts
    h.cluster.createService(spec('cam', { replicas: 2, placement: { constraints: ['node.hw.device==/dev/video0'], preferences: [], maxReplicasPerNode: 0 } }));
    h.cluster.createService(spec('nocam', { replicas: 2, placement: { constraints: ['node.hw.device!=/dev/video0'], preferences: [], maxReplicasPerNode: 0 } }));
    h.settle();
    expect(nodesOf('cam')).toEqual(['a', 'a']);
    expect(nodesOf('nocam')).toEqual(['old', 'old']);
  });
});

describe('image platforms', () => {
  it('stops offering an image to boards of an architecture once one of them rejected it for its platform', () => {
    h.addNode('arm', { arch: 'aarch64' });
    h.addNode('x86', { arch: 'x86_64' });
    const image = 'example/amd64-only:1';
    h.cluster.createService(spec('app', { image, replicas: 2, placement: { constraints: [], preferences: [], maxReplicasPerNode: 1 } }));
    h.settle();
    const onArm = h.live('app').find((t) => t.nodeId === 'arm');
    if (!onArm) throw new Error('expected a task on arm');
    reject('arm', onArm.id, `image ${image} is linux/amd64, this board is linux/arm64`);
    h.settle(6_000); // the restart delay
    const pending = h.live('app').filter((t) => t.state === 'pending');
    expect(pending).toHaveLength(1);
    expect(pending[0]?.message).toContain('unsupported platform on 1 node');
    expect(h.live('app').filter((t) => t.nodeId === 'arm' && t.state !== 'rejected')).toEqual([]);
  });

  it('ignores a rejection that claims to speak for another image', () => {
    h.addNode('arm', { arch: 'aarch64' });
    h.cluster.createService(spec('app', { image: 'example/multi:1', restartPolicy: { condition: 'any', delayMs: 0, maxAttempts: 0, windowMs: 0 } }));
    h.settle();
    const task = h.live('app')[0];
    if (!task) throw new Error('expected a task');
    reject('arm', task.id, 'image example/other:1 is linux/amd64, this board is linux/arm64');
    h.settle(1_000);
    expect(h.live('app').filter((t) => t.state !== 'rejected').map((t) => [t.state, t.nodeId])).toEqual([['assigned', 'arm']]);
  });

  it('reads back exactly the message the driver writes', () => {
    expect(parsePlatformMismatch('image kelvin-test/busybox:latest is linux/amd64, this board is linux/arm64')).toEqual({ image: 'kelvin-test/busybox:latest', platform: { os: 'linux', arch: 'amd64' } });
    expect(parsePlatformMismatch('image not found: x')).toBeNull();
  });
});
